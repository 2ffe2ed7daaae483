import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import http2 from "node:http2";
import { setTimeout as sleep } from "node:timers/promises";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { GetPersonRequestSchema } from "../../gen/person/v1/person_pb.js";
import { createFakePersonDb } from "../support/tds/fake-person-db.ts";
import { startTdsResponder, type TdsResponder } from "../support/tds/tds-responder.ts";
import { mssqlRepositoryOn } from "../support/mssql-test-store.ts";
import { inFlight, linesOf } from "../support/observed.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";
import { expectCode } from "../support/expect.ts";

// A real database call that does not answer: the TDS responder hangs, so the
// only way out is a deadline that cancels the SQL request (a TDS attention).
let responder: TdsResponder;
let server: TestServer;
/** The same service with the fast lane off: the stock connect-es path. */
let stock: TestServer;
const db = createFakePersonDb();
before(async () => {
  responder = await startTdsResponder(db);
  server = await startTestServer({ DEFAULT_DEADLINE_MS: "300" }, mssqlRepositoryOn(responder.port, { statementTimeoutMs: 30_000 }));
  await personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!).listPeople({}); // a logged-in pool connection
  stock = await startTestServer({ DEFAULT_DEADLINE_MS: "300", FAST_LANE: "off" }, mssqlRepositoryOn(responder.port, { statementTimeoutMs: 30_000 }));
});
after(async () => {
  await server.close();
  await stock.close();
  await responder.stop();
});

const hangGets = () => {
  responder.handler = (call, conn) => (call.tag === "get-person" ? { hang: true } : db(call, conn));
};
const id = "00000000-0000-4000-8000-0000000000aa";

for (const protocol of ["gRPC (h2c)", "Connect JSON (HTTP/1.1)", "gRPC-Web (HTTP/1.1)"]) {
  test(`${protocol}: a 50 ms deadline gives DEADLINE_EXCEEDED in about 50 ms and cancels the store work`, async () => {
    hangGets();
    const attentions = responder.attentions;
    const sent = responder.calls.filter((c) => c.tag === "get-person").length;
    const started = Date.now();
    await expectCode(personClient(transportsFor(server.baseUrl)[protocol]!).getPerson({ id }, { timeoutMs: 50 }), Code.DeadlineExceeded);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 40 && elapsed < 1000, `${elapsed} ms`);
    await new Promise((r) => setTimeout(r, 100));
    // The deadline may pass before the statement is even sent (a busy machine, a
    // connection still logging in): then there is nothing to cancel.
    const reachedDb = responder.calls.filter((c) => c.tag === "get-person").length > sent;
    assert.equal(responder.attentions, attentions + (reachedDb ? 1 : 0), "a SQL request that was sent was cancelled");
    responder.handler = db;
  });
}

test("without a client deadline, the default deadline applies", async () => {
  hangGets();
  const started = Date.now();
  const err = await expectCode(personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!).getPerson({ id }), Code.DeadlineExceeded);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 280 && elapsed < 1000, `${elapsed} ms`);
  assert.match(err.rawMessage, /default deadline/);
  responder.handler = db;
});

/** Sends GetPerson and goes away after 100 ms, over HTTP/1.1 (Connect JSON or REST) or h2c (gRPC). */
async function leaveMidCall(server: TestServer, version: "1.1" | "2" | "rest", requestId: string): Promise<void> {
  const url = new URL(server.baseUrl);
  if (version !== "2") {
    const req =
      version === "rest"
        ? http.request({ host: url.hostname, port: url.port, method: "GET", path: `/api/v1/person/${id}`, headers: { "x-request-id": requestId } })
        : http.request({ host: url.hostname, port: url.port, method: "POST", path: "/person.v1.PersonService/GetPerson", headers: { "content-type": "application/json", "x-request-id": requestId } });
    req.on("error", () => {});
    req.end(version === "rest" ? undefined : JSON.stringify({ id }));
    await sleep(100);
    req.destroy();
    return;
  }
  const session = http2.connect(server.baseUrl);
  session.on("error", () => {});
  const stream = session.request({ ":method": "POST", ":path": "/person.v1.PersonService/GetPerson", "content-type": "application/grpc", te: "trailers", "x-request-id": requestId });
  stream.on("error", () => {});
  stream.end(grpcFrame(toBinary(GetPersonRequestSchema, create(GetPersonRequestSchema, { id }))));
  await sleep(100);
  stream.close(http2.constants.NGHTTP2_CANCEL);
  session.close();
}

const grpcFrame = (message: Uint8Array) => Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);

const leavers = [
  ["fast lane", "1.1", "connect"],
  ["fast lane", "2", "grpc"],
  ["fast lane", "rest", "rest"],
  ["stock path", "1.1", "connect"],
  ["stock path", "2", "grpc"],
  ["stock path", "rest", "rest"],
] as const;
for (const [lane, version, protocol] of leavers) {
  test(`a client that goes away mid-call (${lane}, ${version === "rest" ? "REST" : `HTTP/${version}`}): the call ends, is logged once, and leaves nothing in flight`, async () => {
    const target = lane === "fast lane" ? server : stock;
    hangGets();
    const requestId = `leaver-${lane === "fast lane" ? "lane" : "stock"}-${protocol}`;
    await leaveMidCall(target, version, requestId);
    // The hanging store call ends with the client's cancellation or the 300 ms default deadline.
    const lines = await linesOf(target, requestId);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    if (protocol === "rest" && lane === "stock path") {
      // Fastify's REST route sees the cancellation before it answers: an ordinary line, CANCELED.
      assert.deepEqual([lines[0]!.msg, lines[0]!.code, lines[0]!.httpStatus], ["rpc", "canceled", 499]);
    } else {
      const { msg, code, lane: served, procedure } = lines[0]!;
      assert.deepEqual({ msg, code, lane: served, procedure, protocol: lines[0]!.protocol }, { msg: "rpc response not delivered", code: "canceled", lane: lane === "fast lane" ? "fast" : "stock", procedure: "person.v1.PersonService/GetPerson", protocol });
      assert.equal(typeof lines[0]!.durationMs, "number");
    }
    assert.equal(await inFlight(target, protocol), 0);
    responder.handler = db;
  });
}
