import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { PersonRepository } from "../../application/ports/person-repository.port.ts";

/** The service's Prometheus instruments, in a registry of their own (no global state). */
export interface Metrics {
  readonly registry: Registry;
  /** Counts an RPC that ended with `code` ("ok", "not_found", ...) after `seconds`. */
  rpcEnded(labels: { service: string; method: string; protocol: string; code: string }, seconds: number): void;
  /** Tracks RPCs in flight by protocol. */
  readonly inFlight: { inc(labels: { protocol: string }): void; dec(labels: { protocol: string }): void };
}

/**
 * Creates the instruments: RPC count, errors and latency per procedure,
 * protocol and code; RPCs in flight; store pool size, in use and waiters;
 * and Node's own (event-loop lag, heap, GC, CPU, file descriptors).
 */
export function createMetrics(poolStats?: () => ReturnType<NonNullable<PersonRepository["stats"]>>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const labelNames = ["rpc_service", "rpc_method", "protocol", "code"] as const;
  const requests = new Counter({ name: "rpc_server_requests_total", help: "RPCs handled, by outcome.", labelNames, registers: [registry] });
  const errors = new Counter({ name: "rpc_server_errors_total", help: "RPCs that ended with an error code.", labelNames, registers: [registry] });
  const duration = new Histogram({
    name: "rpc_server_duration_seconds",
    help: "RPC latency, from the request's arrival to the last byte of the answer.",
    labelNames,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlightGauge = new Gauge({ name: "rpc_server_in_flight_requests", help: "RPCs being handled now.", labelNames: ["protocol"], registers: [registry] });
  // prom-client hashes the labels on every update: keep one child per label set.
  const inFlightOf = memo((protocol: string) => inFlightGauge.labels({ protocol }));
  const outcomeOf = memo((key: string) => {
    const [rpc_service, rpc_method, protocol, code] = key.split("|");
    const labels = { rpc_service: rpc_service!, rpc_method: rpc_method!, protocol: protocol!, code: code! };
    return { requests: requests.labels(labels), errors: code === "ok" ? undefined : errors.labels(labels), duration: duration.labels(labels) };
  });
  const pool = (name: string, help: string, pick: (s: NonNullable<ReturnType<NonNullable<PersonRepository["stats"]>>>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const stats = poolStats?.();
        if (stats) this.set(pick(stats));
      },
    });
  pool("store_pool_connections", "Store connections open (idle and in use).", (s) => s.size);
  pool("store_pool_connections_in_use", "Store connections running a call.", (s) => s.inUse);
  pool("store_pool_waiting_requests", "Calls waiting for a store connection.", (s) => s.waiting);
  return {
    registry,
    inFlight: {
      inc: ({ protocol }) => inFlightOf(protocol).inc(),
      dec: ({ protocol }) => inFlightOf(protocol).dec(),
    },
    rpcEnded({ service, method, protocol, code }, seconds) {
      const outcome = outcomeOf(`${service}|${method}|${protocol}|${code}`);
      outcome.requests.inc();
      outcome.errors?.inc();
      outcome.duration.observe(seconds);
    },
  };
}

/** Caches `make` per key (label sets are few: procedures x protocols x codes). */
function memo<T>(make: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = make(key)));
    return value;
  };
}
