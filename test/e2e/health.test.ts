import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/health/v1/health_pb.js";
import { createFakePersonDb } from "../support/tds/fake-person-db.ts";
import { startTdsResponder, type TdsResponder } from "../support/tds/tds-responder.ts";
import { mssqlRepositoryOn } from "../support/mssql-test-store.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

let responder: TdsResponder;
let server: TestServer;
before(async () => {
  responder = await startTdsResponder(createFakePersonDb());
  server = await startTestServer({ HEALTH_INTERVAL_MS: "100", HEALTH_TIMEOUT_MS: "500" }, mssqlRepositoryOn(responder.port, { acquireTimeoutMs: 300 }));
});
after(async () => {
  await server.close();
  await responder.stop().catch(() => undefined);
});

const health = () => createClient(Health, createGrpcTransport({ baseUrl: server.baseUrl }));

test("a gRPC health client gets SERVING overall and per service; unknown services are NOT_FOUND", async () => {
  assert.equal((await health().check({ service: "" })).status, Status.SERVING);
  assert.equal((await health().check({ service: "person.v1.PersonService" })).status, Status.SERVING);
  await assert.rejects(health().check({ service: "nope.v1.Nope" }), /not_found|NotFound|\[not_found\]/);
});

test("NOT_SERVING while the store is unreachable, Watch streams the changes, and SERVING again when it returns", async () => {
  const controller = new AbortController();
  const seen: Status[] = [];
  const watching = (async () => {
    for await (const res of health().watch({ service: "person.v1.PersonService" }, { signal: controller.signal })) {
      seen.push(res.status);
      if (seen.length === 3) controller.abort();
    }
  })().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 200));
  await responder.stop();
  assert.equal((await health().check({ service: "" })).status, Status.NOT_SERVING);
  assert.equal((await fetch(`${server.baseUrl}/readyz`)).status, 503);
  await responder.restart();
  let status = Status.NOT_SERVING;
  for (let i = 0; i < 40 && status !== Status.SERVING; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = (await health().check({ service: "" })).status;
  }
  assert.equal(status, Status.SERVING);
  await Promise.race([watching, new Promise((r) => setTimeout(r, 3000))]);
  assert.deepEqual(seen, [Status.SERVING, Status.NOT_SERVING, Status.SERVING]);
});

test("NOT_SERVING from the start of graceful shutdown", async () => {
  server.app.beginShutdown();
  assert.equal((await health().check({ service: "" })).status, Status.NOT_SERVING);
  assert.equal((await fetch(`${server.baseUrl}/readyz`)).status, 503);
});
