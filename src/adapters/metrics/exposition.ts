import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { durationBuckets, type Counts, type OutcomeCount, type PoolStats } from "./metrics.ts";

/** Prometheus's text of the service's metrics. */
export interface Exposition {
  scrape(): Promise<{ contentType: string; text: string }>;
}

type Labels = Readonly<Record<string, string | number>>;
interface Sample {
  readonly labels: Labels;
  readonly value: number;
  readonly metricName?: string;
  readonly sharedLabels?: Labels;
}

/** A metric prom-client's registry reads at each scrape, its samples made from the hot path's plain counts. */
function countsMetric(name: string, help: string, type: "counter" | "gauge" | "histogram", samples: () => Sample[]) {
  return {
    name,
    help,
    type,
    aggregator: "sum",
    collect() {},
    get: async () => ({ name, help, type, aggregator: "sum", values: samples() }),
  };
}

/** The samples of one outcome's latency histogram: cumulative buckets, +Inf, sum and count. */
function histogramSamples(name: string, outcome: OutcomeCount): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  durationBuckets.forEach((bound, i) => {
    cumulative += outcome.buckets[i]!;
    samples.push({ labels: { le: bound }, value: cumulative, metricName: `${name}_bucket`, sharedLabels: outcome.labels });
  });
  samples.push(
    { labels: { le: "+Inf" }, value: outcome.count, metricName: `${name}_bucket`, sharedLabels: outcome.labels },
    { labels: {}, value: outcome.sum, metricName: `${name}_sum`, sharedLabels: outcome.labels },
    { labels: {}, value: outcome.count, metricName: `${name}_count`, sharedLabels: outcome.labels },
  );
  return samples;
}

/**
 * Builds the registry a scrape reads: the RPC metrics from `counts`, the
 * store pool's figures, and Node's runtime metrics (collected from now on).
 */
export function createExposition(counts: Counts, poolStats?: PoolStats): Exposition {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const outcomes = () => [...counts.outcomes()];
  const metrics = [
    countsMetric("rpc_server_requests_total", "RPCs handled, by outcome.", "counter", () => outcomes().map((o) => ({ labels: o.labels, value: o.count }))),
    countsMetric("rpc_server_errors_total", "RPCs that ended with an error code.", "counter", () =>
      outcomes().flatMap((o) => (o.labels.code === "ok" ? [] : [{ labels: o.labels, value: o.count }])),
    ),
    countsMetric("rpc_server_duration_seconds", "RPC latency, from the request's arrival to the last byte of the answer.", "histogram", () =>
      outcomes().flatMap((o) => histogramSamples("rpc_server_duration_seconds", o)),
    ),
    countsMetric("rpc_server_in_flight_requests", "RPCs being handled now.", "gauge", () => [...counts.inFlight()].map(([protocol, value]) => ({ labels: { protocol }, value }))),
  ];
  for (const metric of metrics) registry.registerMetric(metric as never);
  const pool = (name: string, help: string, pick: (s: NonNullable<ReturnType<PoolStats>>) => number) =>
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
    scrape: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
  };
}
