import { test } from "node:test";
import assert from "node:assert/strict";
import { createMetrics } from "../../src/adapters/metrics/metrics.ts";

const line = (text: string, start: string) => text.split("\n").find((l) => l.startsWith(start));

test("plain counts become Prometheus samples at scrape time: counters, errors, cumulative buckets (le inclusive), in flight", async () => {
  const metrics = createMetrics(() => ({ size: 4, inUse: 1, waiting: 0 }));
  metrics.inFlight.inc("grpc");
  metrics.inFlight.inc("grpc");
  metrics.inFlight.dec("grpc");
  for (const seconds of [0.0004, 0.001, 0.003, 20]) metrics.rpcEnded("s.v1.S", "Get", "grpc", "ok", seconds);
  metrics.rpcEnded("s.v1.S", "Get", "grpc", "not_found", 0.002);
  const { contentType, text } = await metrics.scrape();
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  const ok = 'rpc_service="s.v1.S",rpc_method="Get",protocol="grpc",code="ok"';
  assert.equal(line(text, `rpc_server_requests_total{${ok}}`), `rpc_server_requests_total{${ok}} 4`);
  assert.equal(line(text, "rpc_server_errors_total{"), 'rpc_server_errors_total{rpc_service="s.v1.S",rpc_method="Get",protocol="grpc",code="not_found"} 1');
  assert.equal(line(text, `rpc_server_duration_seconds_bucket{le="0.0005",${ok}}`)?.split(" ")[1], "1");
  assert.equal(line(text, `rpc_server_duration_seconds_bucket{le="0.001",${ok}}`)?.split(" ")[1], "2");
  assert.equal(line(text, `rpc_server_duration_seconds_bucket{le="0.005",${ok}}`)?.split(" ")[1], "3");
  assert.equal(line(text, `rpc_server_duration_seconds_bucket{le="10",${ok}}`)?.split(" ")[1], "3");
  assert.equal(line(text, `rpc_server_duration_seconds_bucket{le="+Inf",${ok}}`)?.split(" ")[1], "4");
  assert.equal(Number(line(text, `rpc_server_duration_seconds_sum{${ok}}`)?.split(" ")[1]), 0.0004 + 0.001 + 0.003 + 20);
  assert.equal(line(text, "rpc_server_in_flight_requests{"), 'rpc_server_in_flight_requests{protocol="grpc"} 1');
  assert.equal(line(text, "store_pool_connections "), "store_pool_connections 4");
  assert.ok(line(text, "process_resident_memory_bytes "), "Node's runtime metrics");
  // Later calls show in the next scrape.
  metrics.rpcEnded("s.v1.S", "Get", "grpc", "ok", 0.0001);
  assert.equal(line((await metrics.scrape()).text, `rpc_server_requests_total{${ok}}`), `rpc_server_requests_total{${ok}} 5`);
});
