import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import http2 from "node:http2";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { create, toBinary, fromBinary } from "@bufbuild/protobuf";
import { CreatePersonRequestSchema, CreatePersonResponseSchema } from "../../gen/person/v1/person_pb.js";
import { spawnService } from "../support/spawn-service.ts";
import { grpcFrame } from "../support/raw-clients.ts";
import { personClient, transportsFor } from "../support/clients.ts";

const path = "/person.v1.PersonService/CreatePerson";
const tempDb = () => join(mkdtempSync(join(tmpdir(), "personsvc-")), "people.db");

/** An HTTP/1.1 Connect request whose body is sent in two halves, with `between` run in the middle. */
function splitHttp1Request(port: number, body: string) {
  const bytes = Buffer.from(body);
  const req = http.request({ port, host: "127.0.0.1", method: "POST", path, agent: false, headers: { "content-type": "application/json", "content-length": bytes.length } });
  const response = new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, body: text, connection: res.headers.connection }));
    });
    req.on("error", reject);
  });
  req.write(bytes.subarray(0, 10));
  return { finish: () => req.end(bytes.subarray(10)), response };
}

/** A gRPC call over h2c whose single message is sent in two parts. */
function splitGrpcRequest(port: number, lastName: string) {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  const frame = grpcFrame(toBinary(CreatePersonRequestSchema, create(CreatePersonRequestSchema, { firstName: "In", lastName })));
  const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });
  const chunks: Buffer[] = [];
  const response = new Promise<{ status: string | undefined; lastName: string }>((resolve, reject) => {
    let status: string | undefined;
    stream.on("data", (d: Buffer) => chunks.push(d));
    stream.on("trailers", (t) => (status = t["grpc-status"] as string));
    stream.on("end", () => {
      session.close();
      const all = Buffer.concat(chunks);
      const message = all.length > 5 ? fromBinary(CreatePersonResponseSchema, all.subarray(5)) : undefined;
      resolve({ status, lastName: message?.person?.lastName ?? "" });
    });
    stream.on("error", reject);
  });
  stream.write(frame.subarray(0, 7));
  return { finish: () => stream.end(frame.subarray(7)), response };
}

test("SIGTERM with requests in flight: they all complete, new connections are refused, exit 0", async () => {
  const service = await spawnService({ SQLITE_PATH: tempDb() });
  // Twenty requests the server has started reading (headers and half a body)
  // over HTTP/1.1 and over h2c: certainly in flight when the signal lands.
  const h1 = Array.from({ length: 10 }, (_, i) => splitHttp1Request(service.port, JSON.stringify({ firstName: "In", lastName: `Flight-h1-${i}` })));
  const h2 = Array.from({ length: 10 }, (_, i) => splitGrpcRequest(service.port, `Flight-h2-${i}`));
  await sleep(300);
  service.child.kill("SIGTERM");
  await sleep(300); // shutdown has begun while every request is still open
  for (const r of [...h1, ...h2]) r.finish();

  const r1 = await Promise.all(h1.map((r) => r.response));
  const r2 = await Promise.all(h2.map((r) => r.response));
  r1.forEach((r, i) => {
    assert.equal(r.status, 200, r.body);
    assert.equal(JSON.parse(r.body).person.lastName, `Flight-h1-${i}`);
    assert.equal(r.connection, "close", "HTTP/1.1 answers close their connection during shutdown");
  });
  r2.forEach((r, i) => {
    assert.equal(r.status, "0");
    assert.equal(r.lastName, `Flight-h2-${i}`);
  });

  assert.equal(await service.exited, 0);
  await assert.rejects(fetch(`${service.baseUrl}/`), "the listener is closed");
  const messages = service.logs.map((l) => l.msg);
  assert.ok(messages.indexOf("shutting down") < messages.indexOf("stopped"));
  assert.equal(service.logs.filter((l) => l.msg === "rpc" && l.code === "ok").length, 20);
});

test("data survives a restart on the same store file", async () => {
  const db = tempDb();
  const first = await spawnService({ SQLITE_PATH: db });
  const client = personClient(transportsFor(first.baseUrl)["gRPC (h2c)"]!);
  const created = (await client.createPerson({ firstName: "Dur", middleName: "", lastName: "Able", suffix: "Sr." })).person!;
  const updated = (await client.updatePerson({ id: created.id, firstName: "Dura", lastName: "Able", middleName: "" , etag: created.etag })).person!;
  first.child.kill("SIGTERM");
  assert.equal(await first.exited, 0);

  const second = await spawnService({ SQLITE_PATH: db });
  const again = (await personClient(transportsFor(second.baseUrl)["gRPC (h2c)"]!).getPerson({ id: created.id })).person!;
  assert.deepEqual(again, updated);
  second.child.kill("SIGINT");
  assert.equal(await second.exited, 0);
});

test("a bad configuration names every bad variable and exits non-zero without serving", async () => {
  const child = await import("node:child_process");
  const result = child.spawnSync(process.execPath, [new URL("../../src/main.js", import.meta.url).pathname], {
    env: { PATH: process.env.PATH, PORT: "99999", LOG_LEVEL: "loud", MAX_REQUEST_BYTES: "ten", TLS_CERT_FILE: "/x" },
    encoding: "utf8",
    timeout: 10_000,
  });
  assert.notEqual(result.status, 0);
  for (const name of ["PORT", "LOG_LEVEL", "MAX_REQUEST_BYTES", "TLS_CERT_FILE"]) assert.match(result.stderr, new RegExp(`${name}: `));
  assert.equal(result.stdout, "");
});

test("readiness: /readyz is 503 from the start of shutdown while the listener still serves; /healthz stays 200", async () => {
  const service = await spawnService({ SQLITE_PATH: tempDb(), SHUTDOWN_DELAY_MS: "600" });
  assert.equal((await fetch(`${service.baseUrl}/readyz`)).status, 200);
  assert.equal((await fetch(`${service.baseUrl}/healthz`)).status, 200);
  service.child.kill("SIGTERM");
  await sleep(150);
  const ready = await fetch(`${service.baseUrl}/readyz`, { headers: { connection: "close" } });
  assert.equal(ready.status, 503);
  assert.equal(((await ready.json()) as { status: string }).status, "not_ready");
  const still = await fetch(`${service.baseUrl}/api/v1/person`, { headers: { connection: "close" } });
  assert.equal(still.status, 200, "requests are still served during the delay");
  assert.equal((await fetch(`${service.baseUrl}/healthz`, { headers: { connection: "close" } })).status, 200);
  assert.equal(await service.exited, 0);
});

test("WORKERS=2: two processes share the one port, both protocols served, SIGTERM drains every worker and exits 0", async () => {
  const service = await spawnService({ SQLITE_PATH: tempDb(), WORKERS: "2" });
  try {
    const grpc = personClient(transportsFor(service.baseUrl)["gRPC (h2c)"]!);
    const { person } = await grpc.createPerson({ firstName: "Multi", lastName: "Worker" });
    // New HTTP/1.1 connections land on either worker; every one sees the shared store.
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${service.baseUrl}/api/v1/person/${person!.id}`, { headers: { connection: "close" } });
      assert.equal(res.status, 200);
    }
    const listeners = () => new Set(service.logs.filter((l) => l.msg === "listening").map((l) => l.pid)).size;
    for (let i = 0; i < 100 && listeners() < 2; i++) await sleep(100);
    const listening = service.logs.filter((l) => l.msg === "listening");
    assert.equal(new Set(listening.map((l) => l.pid)).size, 2, `two workers listened: ${JSON.stringify(service.logs.map((l) => [l.pid, l.msg]))}`);
    assert.ok(!service.logs.some((l) => l.msg === "worker died: starting another"), "both workers started at the first try (one new store file, opened together)");
  } finally {
    service.child.kill("SIGTERM");
  }
  assert.equal(await service.exited, 0);
  assert.ok(service.logs.some((l) => l.msg === "all workers stopped"));
});
