import type { PersonRepository } from "../../application/ports/person-repository.port.ts";
import type { Exposition } from "./exposition.ts";

/** Pool figures of the store, read at each scrape. */
export type PoolStats = () => ReturnType<NonNullable<PersonRepository["stats"]>>;

/**
 * The service's metrics. RPCs are counted in plain numbers on the hot path;
 * Prometheus's text (with Node's runtime metrics) is made only when scraped.
 */
export interface Metrics {
  /** RPCs in flight, by protocol. */
  readonly inFlight: { inc(protocol: string): void; dec(protocol: string): void };
  /** An RPC over `protocol` ended with `code` ("ok", "not_found", ...) after `seconds`. */
  rpcEnded(service: string, method: string, protocol: string, code: string, seconds: number): void;
  /** The Prometheus text of every metric, and its content type. */
  scrape(): Promise<{ contentType: string; text: string }>;
}

/** Upper bounds of the latency histogram's buckets, in seconds. */
export const durationBuckets: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The RPCs that ended with one outcome: how many, their total and bucketed latency. */
export interface OutcomeCount {
  readonly labels: { readonly rpc_service: string; readonly rpc_method: string; readonly protocol: string; readonly code: string };
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last one counts those above every bound. */
  readonly buckets: Float64Array;
}

/** What the hot path counted so far, read by the exposition. */
export interface Counts {
  readonly outcomes: () => Iterable<OutcomeCount>;
  readonly inFlight: () => Iterable<[string, number]>;
}

type Level<T> = Map<string, T>;

/** The record of one outcome, found through one map per label (no key string built per call). */
function createOutcomeIndex(onNew: (outcome: OutcomeCount) => void) {
  const services: Level<Level<Level<Level<OutcomeCount>>>> = new Map();
  const levelOf = <T>(parent: Level<Level<T>>, key: string): Level<T> => {
    let level = parent.get(key);
    if (level === undefined) parent.set(key, (level = new Map()));
    return level;
  };
  return (service: string, method: string, protocol: string, code: string): OutcomeCount => {
    const codes = levelOf(levelOf(levelOf(services, service), method), protocol);
    let outcome = codes.get(code);
    if (outcome === undefined) {
      outcome = { labels: { rpc_service: service, rpc_method: method, protocol, code }, count: 0, sum: 0, buckets: new Float64Array(durationBuckets.length + 1) };
      codes.set(code, outcome);
      onNew(outcome);
    }
    return outcome;
  };
}

/**
 * Creates the metrics: RPC count, errors and latency per procedure, protocol
 * and code; RPCs in flight; store pool size, in use and waiters; and Node's
 * own (event-loop lag, heap, GC, CPU, file descriptors), which prom-client
 * collects from the first scrape on (it is loaded then, not at start-up).
 */
export function createMetrics(poolStats?: PoolStats): Metrics {
  const outcomes: OutcomeCount[] = [];
  const outcomeOf = createOutcomeIndex((outcome) => outcomes.push(outcome));
  const inFlight = new Map<string, number>();
  const counts: Counts = { outcomes: () => outcomes, inFlight: () => inFlight };
  let exposition: Promise<Exposition> | undefined;
  return {
    inFlight: {
      inc: (protocol) => void inFlight.set(protocol, (inFlight.get(protocol) ?? 0) + 1),
      dec: (protocol) => void inFlight.set(protocol, (inFlight.get(protocol) ?? 0) - 1),
    },
    rpcEnded(service, method, protocol, code, seconds) {
      const outcome = outcomeOf(service, method, protocol, code);
      outcome.count += 1;
      outcome.sum += seconds;
      let bucket = 0;
      while (bucket < durationBuckets.length && seconds > durationBuckets[bucket]!) bucket++;
      outcome.buckets[bucket]! += 1;
    },
    async scrape() {
      exposition ??= import("./exposition.ts").then(({ createExposition }) => createExposition(counts, poolStats));
      return (await exposition).scrape();
    },
  };
}
