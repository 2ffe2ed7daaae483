import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Code } from "@connectrpc/connect";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { createEventLoopLoadSignal, type LoadSignal } from "../../src/adapters/protection/load-shedder.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";
import { expectCode } from "../support/expect.ts";

describe("per-client rate limiting", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ RATE_LIMIT_RPS: "5", RATE_LIMIT_BURST: "5" });
  });
  after(() => server.close());

  test("past the burst: RESOURCE_EXHAUSTED (gRPC) / 429 with Retry-After (REST, Connect), then served again", async () => {
    const grpc = personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!);
    for (let i = 0; i < 5; i++) await grpc.listPeople({});
    const err = await expectCode(grpc.listPeople({}), Code.ResourceExhausted);
    assert.ok(err.findDetails(RetryInfoSchema)[0]?.retryDelay, "google.rpc.RetryInfo says when to retry");
    const rest = await fetch(`${server.baseUrl}/api/v1/person`);
    assert.equal(rest.status, 429);
    assert.equal(rest.headers.get("retry-after"), "1");
    assert.equal(((await rest.json()) as { code: string }).code, "resource_exhausted");
    const connect = await fetch(`${server.baseUrl}/person.v1.PersonService/ListPeople`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(connect.status, 429);
    await new Promise((r) => setTimeout(r, 450)); // two tokens back at 5/s
    await grpc.listPeople({});
    assert.equal((await fetch(`${server.baseUrl}/healthz`)).status, 200, "health is never rate limited");
  });
});

describe("load shedding", () => {
  let overloaded = false;
  const signal: LoadSignal = { overloaded: () => overloaded, stop: () => undefined };
  let server: TestServer;
  before(async () => {
    server = await startTestServer({}, undefined, undefined, signal);
  });
  after(() => server.close());

  test("while the event loop is saturated new RPCs get UNAVAILABLE / 503 at once, and are served when it clears", async () => {
    const grpc = personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!);
    await grpc.listPeople({});
    overloaded = true;
    await expectCode(grpc.listPeople({}), Code.Unavailable);
    const rest = await fetch(`${server.baseUrl}/api/v1/person`);
    assert.equal(rest.status, 503);
    assert.equal(rest.headers.get("retry-after"), "1");
    assert.equal((await fetch(`${server.baseUrl}/healthz`)).status, 200, "liveness still answers");
    overloaded = false;
    await grpc.listPeople({});
  });

  test("the event-loop signal turns on when the loop is blocked and off when it is calm", async () => {
    const load = createEventLoopLoadSignal(150, 60_000);
    try {
      await new Promise((r) => setTimeout(r, 50));
      load.sample();
      assert.equal(load.overloaded(), false);
      const until = Date.now() + 400;
      while (Date.now() < until) {
        // a saturated event loop
      }
      await new Promise((r) => setTimeout(r, 20));
      load.sample();
      assert.equal(load.overloaded(), true);
      await new Promise((r) => setTimeout(r, 100));
      load.sample();
      assert.equal(load.overloaded(), false);
    } finally {
      load.stop();
    }
  });
});
