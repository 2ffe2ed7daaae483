import type { Logger } from "pino";
import type { PersonRepository } from "../../application/ports/person-repository.port.ts";

/** Serving status, as grpc.health.v1 names it. */
export type ServingStatus = "SERVING" | "NOT_SERVING";

/** Watches whether the service can do its work: the store answers, and it is not shutting down. */
export interface HealthMonitor {
  /** The last known status. */
  current(): ServingStatus;
  /** Pings the store now (bounded by the timeout) and returns the fresh status. */
  check(): Promise<ServingStatus>;
  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (status: ServingStatus) => void): () => void;
  /** From now on NOT_SERVING, for good (graceful shutdown). */
  beginShutdown(): void;
  /** Stops the periodic probe. */
  stop(): void;
}

/** Options of the monitor. */
export interface HealthMonitorOptions {
  readonly people: PersonRepository;
  readonly logger: Logger;
  /** How often the store is pinged in the background. */
  readonly intervalMs: number;
  /** How long one ping may take. */
  readonly timeoutMs: number;
}

/** Creates the monitor and starts its periodic probe (unref'd: it never keeps the process alive). */
export function createHealthMonitor(opts: HealthMonitorOptions): HealthMonitor {
  let status: ServingStatus = "SERVING";
  let shuttingDown = false;
  const listeners = new Set<(s: ServingStatus) => void>();
  const set = (next: ServingStatus) => {
    if (next === status) return;
    status = next;
    opts.logger.warn({ status }, "health changed");
    for (const l of listeners) l(status);
  };
  const check = async (): Promise<ServingStatus> => {
    if (shuttingDown) return "NOT_SERVING";
    try {
      await opts.people.ping({ signal: AbortSignal.timeout(opts.timeoutMs) });
      if (!shuttingDown) set("SERVING");
    } catch {
      set("NOT_SERVING");
    }
    return status;
  };
  const timer = setInterval(() => void check(), opts.intervalMs);
  timer.unref();
  return {
    current: () => status,
    check,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    beginShutdown() {
      shuttingDown = true;
      set("NOT_SERVING");
    },
    stop: () => clearInterval(timer),
  };
}
