import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { setImmediate as turn } from "node:timers/promises";
import v8 from "node:v8";
import vm from "node:vm";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { createLogger } from "../../src/adapters/http/logger.ts";
import { createMetrics } from "../../src/adapters/metrics/metrics.ts";
import { createTracing } from "../../src/adapters/tracing/tracing.ts";
import { createRpcObserver } from "../../src/adapters/connect/rpc-observer.ts";
import type { RpcCall } from "../../src/adapters/connect/rpc-call.ts";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const handler = { service: { typeName: "s.v1.S" }, method: { name: "Get" } } as unknown as UniversalHandler;

async function observe() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const metrics = createMetrics();
  const observer = createRpcObserver(createLogger("info", sink), metrics, await createTracing({}));
  const inFlight = async () => Number((await metrics.scrape()).text.split("\n").find((l) => l.startsWith('rpc_server_in_flight_requests{protocol="grpc"}'))?.split(" ")[1] ?? 0);
  return { observer, lines, inFlight };
}

/** A gRPC call as the edge leaves it once answered, holding 64 KB (its state: headers, buffers...). */
function answeredCall(observer: Awaited<ReturnType<typeof observe>>["observer"], requestId: string): RpcCall {
  const call = observer.begin(handler, requestId, "grpc", new Headers());
  call.protocol = "grpc";
  call.fastLane = true;
  call.context = {
    protocolName: "grpc",
    requestHeader: new Headers({ "content-type": "application/grpc" }),
    responseTrailer: new Headers({ "grpc-status": "5" }),
    url: "http://x/s.v1.S/Get",
    state: new Uint8Array(1 << 16),
  } as never;
  return call;
}

test("once answered, a call is let go: only its summary waits for the delivery, which logs, counts and ends it once", async () => {
  const { observer, lines, inFlight } = await observe();
  let call: RpcCall | undefined = answeredCall(observer, "req-1");
  const released = new WeakRef(call);
  const delivered = observer.answered(handler, call, { status: 200, header: new Headers() });
  call = undefined;
  await turn();
  gc();
  await turn();
  assert.ok(released.deref() === undefined, "the call (and what it holds) is collectable before the delivery");
  assert.equal(await inFlight(), 1, "in flight until delivered");
  delivered();
  delivered();
  await turn();
  assert.equal(await inFlight(), 0);
  assert.equal(lines.length, 1);
  assert.deepEqual(
    { msg: lines[0]!.msg, requestId: lines[0]!.requestId, code: lines[0]!.code, protocol: lines[0]!.protocol, lane: lines[0]!.lane, httpStatus: lines[0]!.httpStatus },
    { msg: "rpc", requestId: "req-1", code: "not_found", protocol: "grpc", lane: "fast", httpStatus: 200 },
  );
});

test("an answer that is not delivered ends the call as CANCELED, once, with the reason", async () => {
  const { observer, lines, inFlight } = await observe();
  const undelivered = observer.answered(handler, answeredCall(observer, "req-2"), { status: 200, header: new Headers() });
  undelivered(new Error("the client went away"));
  undelivered();
  await turn();
  assert.equal(await inFlight(), 0);
  assert.equal(lines.length, 1);
  assert.deepEqual(
    { msg: lines[0]!.msg, requestId: lines[0]!.requestId, code: lines[0]!.code, reason: (lines[0]!.err as { message: string }).message },
    { msg: "rpc response not delivered", requestId: "req-2", code: "canceled", reason: "the client went away" },
  );
});
