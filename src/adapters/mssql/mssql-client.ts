import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "tarn";
import type { ConnectionConfiguration } from "tedious";
import { openConnection, type PooledConnection } from "./mssql-connection.ts";
import { classify, toStoreError } from "./mssql-errors.ts";

/** Which failures an operation may be run again after. */
export type RetryPolicy =
  /** Reads, and writes made idempotent by the caller: retry after rollbacks and broken connections. */
  | "idempotent"
  /** Other writes: retry only when the server reports it rolled the work back. */
  | "rolled-back-only";

/** Pool and retry settings. */
export interface MssqlClientOptions {
  readonly poolMin: number;
  readonly poolMax: number;
  readonly acquireTimeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
}

/** Pool figures for metrics. */
export interface PoolStats {
  readonly size: number;
  readonly inUse: number;
  readonly free: number;
  readonly waiting: number;
}

/** A pooled, retrying way to run work on SQL Server connections. */
export interface MssqlClient {
  /**
   * Runs `work` on a pooled connection; on a retryable failure, runs it again
   * on a healthy connection after a backoff, at most `maxRetries` times.
   * `attempt` (1-based) lets work that was made idempotent recognise a retry.
   */
  run<T>(
    policy: RetryPolicy,
    signal: AbortSignal | undefined,
    work: (conn: PooledConnection, attempt: number) => Promise<T>,
  ): Promise<T>;
  stats(): PoolStats;
  close(): Promise<void>;
}

/** Creates the tarn pool of tedious connections and the retry loop around it. */
export function createMssqlClient(config: ConnectionConfiguration, options: MssqlClientOptions): MssqlClient {
  const pool = new Pool<PooledConnection>({
    create: () => openConnection(config),
    destroy: (c) => c.connection.close(),
    validate: (c) => !c.broken,
    min: options.poolMin,
    max: options.poolMax,
    acquireTimeoutMillis: options.acquireTimeoutMs,
    createTimeoutMillis: options.acquireTimeoutMs,
    idleTimeoutMillis: 30_000,
    reapIntervalMillis: 1_000,
    createRetryIntervalMillis: 100,
    // A failed connect fails the waiting caller at once: an outage fails fast.
    propagateCreateError: true,
  });

  async function acquire(signal: AbortSignal | undefined): Promise<PooledConnection> {
    const pending = pool.acquire();
    const onAbort = () => pending.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await pending.promise;
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw Object.assign(new Error("no SQL Server connection available", { cause: e }), { code: "EPOOLTIMEOUT" });
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  const retryable = (policy: RetryPolicy, e: unknown) => {
    const kind = classify(e);
    return kind === "rolled-back" || (kind === "broken" && policy === "idempotent");
  };

  return {
    async run(policy, signal, work) {
      for (let attempt = 1; ; attempt++) {
        let failure: unknown;
        const conn = await acquire(signal).catch((e: unknown) => {
          failure = e;
          return undefined;
        });
        if (conn) {
          try {
            return await work(conn, attempt);
          } catch (e) {
            failure = e;
            if (classify(e) === "broken") conn.broken = true;
          } finally {
            pool.release(conn);
          }
        }
        if (signal?.aborted) throw signal.reason;
        if (attempt > options.maxRetries || !retryable(policy, failure)) throw toStoreError(failure);
        // Exponential backoff with full jitter.
        const cap = options.retryBaseDelayMs * 2 ** (attempt - 1);
        await sleep(Math.random() * cap, undefined, { signal }).catch(() => undefined);
        if (signal?.aborted) throw signal.reason;
      }
    },
    stats: () => ({
      size: pool.numUsed() + pool.numFree(),
      inUse: pool.numUsed(),
      free: pool.numFree(),
      waiting: pool.numPendingAcquires(),
    }),
    close: async () => {
      await pool.destroy();
    },
  };
}
