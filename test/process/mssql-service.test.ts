import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Code } from "@connectrpc/connect";
import { createFakePersonDb } from "../support/tds/fake-person-db.ts";
import { startTdsResponder, type TdsResponder } from "../support/tds/tds-responder.ts";
import { responderConnectionString } from "../support/mssql-test-store.ts";
import { spawnService, type ServiceProcess } from "../support/spawn-service.ts";
import { personClient, transportsFor } from "../support/clients.ts";
import { expectCode } from "../support/expect.ts";

const password = "Sup3r-S3cret-pw";
let responder: TdsResponder;
let service: ServiceProcess;
before(async () => {
  responder = await startTdsResponder(createFakePersonDb());
  service = await spawnService({
    STORE: "mssql",
    MSSQL_CONNECTION_STRING: responderConnectionString(responder.port, password),
    MSSQL_ACQUIRE_TIMEOUT_MS: "1000",
    MSSQL_CONNECT_TIMEOUT_MS: "1000",
  });
});
after(async () => {
  service.child.kill("SIGTERM");
  await service.exited;
  await responder.stop();
});

test("the service on SQL Server (TDS responder) runs its migrations and serves gRPC", async () => {
  assert.ok(responder.calls.some((c) => c.tag === "migrate"), "migrations were applied at start-up");
  const client = personClient(transportsFor(service.baseUrl)["gRPC (h2c)"]!);
  const created = (await client.createPerson({ firstName: "Grace", lastName: "Hopper", middleName: "" })).person!;
  const got = (await client.getPerson({ id: created.id })).person!;
  assert.deepEqual(got, created);
  assert.equal(got.middleName, "");
  const get = responder.calls.find((c) => c.tag === "get-person")!;
  assert.equal(get.params.get("id")!.typeName, "uniqueidentifier");
});

test("the password never reaches the logs", () => {
  const text = JSON.stringify(service.logs);
  assert.doesNotMatch(text, new RegExp(password));
  assert.ok(service.logs.some((l) => l.msg === "using SQL Server"));
});

test("SQL Server down: calls fail fast with UNAVAILABLE; when it returns, service resumes by itself", async () => {
  const client = personClient(transportsFor(service.baseUrl)["gRPC (h2c)"]!);
  const kept = (await client.createPerson({ firstName: "Kept", lastName: "Write" })).person!;
  assert.equal((await fetch(`${service.baseUrl}/readyz`)).status, 200);
  await responder.stop();
  const notReady = await fetch(`${service.baseUrl}/readyz`);
  assert.equal(notReady.status, 503, "readiness follows the store");
  assert.equal((await fetch(`${service.baseUrl}/healthz`)).status, 200, "liveness does not");
  const started = Date.now();
  await expectCode(client.getPerson({ id: kept.id }), Code.Unavailable);
  await expectCode(client.createPerson({ firstName: "Lost", lastName: "Cause" }), Code.Unavailable);
  assert.ok(Date.now() - started < 5000, `failed in ${Date.now() - started} ms`);
  await responder.restart();
  let back: unknown;
  for (let i = 0; i < 50 && !back; i++) {
    back = await client.getPerson({ id: kept.id }).catch(() => undefined);
    if (!back) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(back, "service resumed without a restart");
  assert.equal((await fetch(`${service.baseUrl}/readyz`)).status, 200);
  assert.deepEqual((back as { person: unknown }).person, kept, "no acknowledged write lost");
  assert.equal(service.logs.filter((l) => l.level === "error").length, 0, "an outage is not a bug");
});

test("npm run migrate applies the migrations against the configured server and exits 0", async () => {
  const { execFile } = await import("node:child_process");
  const before = responder.calls.filter((c) => c.tag === "migrate").length;
  // Asynchronously: the TDS responder answering it lives in this process.
  const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [new URL("../../src/migrate.ts", import.meta.url).pathname],
      { env: { PATH: process.env.PATH, MSSQL_CONNECTION_STRING: responderConnectionString(responder.port, password) }, timeout: 20_000 },
      (_err, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
    );
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /migrations done/);
  assert.doesNotMatch(result.stdout, new RegExp(password));
  assert.ok(responder.calls.filter((c) => c.tag === "migrate").length > before);
});
