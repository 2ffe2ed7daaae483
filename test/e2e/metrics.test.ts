import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { Code } from "@connectrpc/connect";
import { createFakePersonDb } from "../support/tds/fake-person-db.ts";
import { startTdsResponder, type TdsResponder } from "../support/tds/tds-responder.ts";
import { mssqlRepositoryOn } from "../support/mssql-test-store.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";
import { expectCode } from "../support/expect.ts";

let responder: TdsResponder;
let server: TestServer;
before(async () => {
  responder = await startTdsResponder(createFakePersonDb());
  server = await startTestServer({}, mssqlRepositoryOn(responder.port));
});
after(async () => {
  await server.close();
  await responder.stop();
});

type Family = { name: string; type: string; metrics: Array<{ labels?: Record<string, string>; value?: string; count?: string; buckets?: Record<string, string> }> };

async function scrape(): Promise<Map<string, Family> & { text: string }> {
  const res = await fetch(`${server.baseUrl}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return Object.assign(new Map((parsePrometheusTextFormat(text) as Family[]).map((f) => [f.name, f])), { text });
}

/** A histogram's sample count for one label set (this parser folds histogram labels away). */
function histogramCount(scraped: { text: string }, name: string, labels: Record<string, string>): number {
  const line = scraped.text.split("\n").find((l) => l.startsWith(`${name}_count{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return Number(line?.split(" ").at(-1) ?? 0);
}

function value(families: Map<string, Family>, name: string, labels: Record<string, string>): number {
  const family = families.get(name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? sample?.count ?? 0);
}

test("/metrics parses as Prometheus text, and counters move by exactly the calls made", async () => {
  const before = await scrape();
  const grpc = personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!);
  const { person } = await grpc.createPerson({ firstName: "Me", lastName: "Tric" });
  for (let i = 0; i < 3; i++) await grpc.getPerson({ id: person!.id });
  await expectCode(grpc.getPerson({ id: "00000000-0000-4000-8000-000000000000" }), Code.NotFound);
  for (let i = 0; i < 2; i++) await fetch(`${server.baseUrl}/api/v1/person/${person!.id}`);
  const after = await scrape();

  const get = { rpc_service: "person.v1.PersonService", rpc_method: "GetPerson" };
  const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
  assert.equal(delta("rpc_server_requests_total", { ...get, protocol: "grpc", code: "ok" }), 3);
  assert.equal(delta("rpc_server_requests_total", { ...get, protocol: "grpc", code: "not_found" }), 1);
  assert.equal(delta("rpc_server_errors_total", { ...get, protocol: "grpc", code: "not_found" }), 1);
  assert.equal(delta("rpc_server_requests_total", { ...get, protocol: "rest", code: "ok" }), 2);
  assert.equal(delta("rpc_server_requests_total", { rpc_method: "CreatePerson", protocol: "grpc", code: "ok" }), 1);
  const histogramLabels = { ...get, protocol: "grpc", code: "ok" };
  assert.equal(histogramCount(after, "rpc_server_duration_seconds", histogramLabels) - histogramCount(before, "rpc_server_duration_seconds", histogramLabels), 3);
  assert.equal(value(after, "rpc_server_in_flight_requests", { protocol: "grpc" }), 0);
  assert.equal(after.get("rpc_server_duration_seconds")?.type, "HISTOGRAM");
  for (const name of ["store_pool_connections", "store_pool_connections_in_use", "store_pool_waiting_requests", "nodejs_eventloop_lag_seconds", "process_resident_memory_bytes"]) {
    assert.ok(after.has(name), name);
  }
  assert.ok(value(after, "store_pool_connections", {}) >= 1, "the MSSQL pool reports its connections");
});
