import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Code } from "@connectrpc/connect";
import { createFakePersonDb } from "../support/tds/fake-person-db.ts";
import { startTdsResponder, type TdsResponder } from "../support/tds/tds-responder.ts";
import { mssqlRepositoryOn } from "../support/mssql-test-store.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";
import { expectCode } from "../support/expect.ts";

// A real database call that does not answer: the TDS responder hangs, so the
// only way out is a deadline that cancels the SQL request (a TDS attention).
let responder: TdsResponder;
let server: TestServer;
const db = createFakePersonDb();
before(async () => {
  responder = await startTdsResponder(db);
  server = await startTestServer({ DEFAULT_DEADLINE_MS: "300" }, mssqlRepositoryOn(responder.port, { statementTimeoutMs: 30_000 }));
  await personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!).listPeople({}); // a logged-in pool connection
});
after(async () => {
  await server.close();
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
