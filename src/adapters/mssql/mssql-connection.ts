import { Connection, Request, type ConnectionConfiguration } from "tedious";
import type { DataType } from "tedious/lib/data-type.js";
import type { ParameterOptions } from "tedious/lib/request.js";

/** A tedious connection and whether it is still usable. */
export interface PooledConnection {
  readonly connection: Connection;
  broken: boolean;
}

/** One SQL parameter with its explicit TDS type. */
export interface SqlParam {
  readonly name: string;
  readonly type: DataType;
  readonly value: unknown;
  readonly options?: ParameterOptions;
}

/** A result row, by column name. */
export type SqlRow = Record<string, unknown>;

/** Opens and logs in a connection; resolves once it can run requests. */
export function openConnection(config: ConnectionConfiguration): Promise<PooledConnection> {
  return new Promise((resolve, reject) => {
    const connection = new Connection(config);
    const pooled: PooledConnection = { connection, broken: false };
    const markBroken = () => {
      pooled.broken = true;
    };
    connection.on("end", markBroken);
    connection.on("error", markBroken);
    connection.connect((err) => {
      if (err) {
        connection.close();
        reject(err);
      } else {
        resolve(pooled);
      }
    });
  });
}

/**
 * Runs one parameterised statement (sp_executesql) and collects its rows.
 * When `signal` aborts, the request is cancelled (a TDS attention) and the
 * promise rejects with the signal's reason; after `timeoutMs` it is cancelled
 * and rejects with an ETIMEOUT error (number -2).
 */
export function execute(
  pooled: PooledConnection,
  sql: string,
  params: readonly SqlParam[],
  options: { signal?: AbortSignal | undefined; timeoutMs: number },
): Promise<SqlRow[]> {
  const { signal, timeoutMs } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const rows: SqlRow[] = [];
    let timedOut = false;
    const onAbort = () => pooled.connection.cancel();
    const timer = setTimeout(() => {
      timedOut = true;
      pooled.connection.cancel();
    }, timeoutMs);
    const request = new Request(sql, (err) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (signal?.aborted) reject(signal.reason);
      else if (timedOut) reject(Object.assign(new Error(`statement timed out after ${timeoutMs} ms`), { code: "ETIMEOUT", number: -2 }));
      else if (err) reject(err);
      else resolve(rows);
    });
    for (const p of params) request.addParameter(p.name, p.type, p.value, p.options);
    request.on("row", (columns: Array<{ value: unknown; metadata: { colName: string } }>) => {
      const row: SqlRow = {};
      for (const c of columns) row[c.metadata.colName] = c.value;
      rows.push(row);
    });
    signal?.addEventListener("abort", onAbort, { once: true });
    pooled.connection.execSql(request);
  });
}
