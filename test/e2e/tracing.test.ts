import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";

const exporter = new InMemorySpanExporter();
let server: TestServer;
before(async () => {
  server = await startTestServer({}, undefined, exporter);
});
after(() => server.close());

const traceId = (n: number) => n.toString(16).padStart(32, "0");
const traceparent = (n: number) => `00-${traceId(n)}-00000000000000a${n}-01`;

function spansOf(id: string) {
  return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === id);
}

test("a gRPC call with a traceparent: a server span child of the caller, a store child span, the trace id in the log line", async () => {
  const client = personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!);
  const { person } = await client.createPerson({ firstName: "Tra", lastName: "Ced" });
  await client.getPerson({ id: person!.id }, { headers: { traceparent: traceparent(1), "x-request-id": "trace-grpc" } });
  const spans = spansOf(traceId(1));
  const server_ = spans.find((s) => s.name === "person.v1.PersonService/GetPerson")!;
  assert.ok(server_, spans.map((s) => s.name).join(", "));
  assert.equal(server_.parentSpanContext?.spanId, "00000000000000a1");
  assert.equal(server_.attributes["rpc.system"], "grpc");
  assert.equal(server_.attributes["rpc.service"], "person.v1.PersonService");
  assert.equal(server_.attributes["rpc.method"], "GetPerson");
  assert.equal(server_.attributes["rpc.grpc.status_code"], 0);
  const store = spans.find((s) => s.name === "sqlite get person")!;
  assert.ok(store, "a store span");
  assert.equal(store.parentSpanContext?.spanId, server_.spanContext().spanId);
  assert.equal(store.attributes["db.system.name"], "sqlite");
  assert.equal(store.attributes["db.operation.name"], "get");
  assert.ok(!JSON.stringify(store.attributes).includes(person!.id), "no parameter values in spans");
  const line = server.logs.find((l) => l.requestId === "trace-grpc")!;
  assert.equal(line.traceId, traceId(1));
});

test("a REST call with a traceparent gets the same treatment; errors set the status code", async () => {
  const res = await fetch(`${server.baseUrl}/api/v1/person/00000000-0000-4000-8000-000000000000`, {
    headers: { traceparent: traceparent(2), "x-request-id": "trace-rest" },
  });
  assert.equal(res.status, 404);
  const spans = spansOf(traceId(2));
  const serverSpan = spans.find((s) => s.name === "person.v1.PersonService/GetPerson")!;
  assert.equal(serverSpan.parentSpanContext?.spanId, "00000000000000a2");
  assert.equal(serverSpan.attributes["rpc.protocol"], "rest");
  assert.equal(serverSpan.attributes["rpc.grpc.status_code"], 5);
  assert.ok(spans.some((s) => s.name === "sqlite get person" && s.parentSpanContext?.spanId === serverSpan.spanContext().spanId));
  assert.equal(server.logs.find((l) => l.requestId === "trace-rest")!.traceId, traceId(2));
});

test("without a traceparent a new trace starts, and its id is logged", async () => {
  await fetch(`${server.baseUrl}/api/v1/person`, { headers: { "x-request-id": "trace-new" } });
  const line = server.logs.find((l) => l.requestId === "trace-new")!;
  assert.match(String(line.traceId), /^[0-9a-f]{32}$/);
  assert.ok(spansOf(String(line.traceId)).length >= 2);
});

test("with tracing off (no OTEL exporter configured), no spans are made but the caller's trace id is still logged", async () => {
  const plain = await startTestServer();
  try {
    await fetch(`${plain.baseUrl}/api/v1/person`, { headers: { traceparent: traceparent(3), "x-request-id": "trace-off" } });
    assert.equal(plain.logs.find((l) => l.requestId === "trace-off")!.traceId, traceId(3));
    assert.equal(spansOf(traceId(3)).length, 0);
  } finally {
    await plain.close();
  }
});
