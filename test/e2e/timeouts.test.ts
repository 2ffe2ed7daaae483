import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";

let server: TestServer;
before(async () => {
  server = await startTestServer({ HEADERS_TIMEOUT_MS: "400", REQUEST_TIMEOUT_MS: "1500" });
});
after(() => server.close());

/** Opens a raw socket, sends `bytes`, and resolves with how long the server kept it open. */
async function heldFor(bytes: string): Promise<number> {
  const socket = net.connect(server.port, "127.0.0.1");
  await once(socket, "connect");
  socket.on("data", () => undefined);
  socket.on("error", () => undefined);
  const started = Date.now();
  if (bytes) socket.write(bytes);
  await once(socket, "close");
  return Date.now() - started;
}

test("a connection that says nothing is closed after the headers timeout", async () => {
  const ms = await heldFor("");
  assert.ok(ms >= 300 && ms < 3000, `${ms} ms`);
});

test("slow headers (slowloris) are cut after the headers timeout", async () => {
  const ms = await heldFor("POST /person.v1.PersonService/ListPeople HTTP/1.1\r\nHost: x\r\n");
  assert.ok(ms >= 300 && ms < 3500, `${ms} ms`);
});

test("a request whose body never completes is cut after the request timeout", async () => {
  const ms = await heldFor(
    "POST /person.v1.PersonService/ListPeople HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
  );
  assert.ok(ms >= 1000 && ms < 5000, `${ms} ms`);
});

test("half an HTTP/2 preface is cut like silence", async () => {
  const ms = await heldFor("PRI * HTTP/2.0\r\n");
  assert.ok(ms >= 300 && ms < 3000, `${ms} ms`);
});

test("legitimate clients are served meanwhile", async () => {
  const idle = Array.from({ length: 20 }, () => net.connect(server.port, "127.0.0.1").on("error", () => undefined));
  const { people } = await personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!).listPeople({});
  assert.deepEqual(people, []);
  for (const s of idle) s.destroy();
});

test("headers over MAX_HEADER_BYTES are refused (431) and HTTP/2 advertises the stream limit", async () => {
  const big = await fetch(`${server.baseUrl}/healthz`, { headers: { "x-big": "x".repeat(20_000) } }).then((r) => r.status, () => 431);
  assert.equal(big, 431);
  const http2 = await import("node:http2");
  const session = http2.connect(server.baseUrl);
  await once(session, "remoteSettings");
  assert.equal(session.remoteSettings.maxConcurrentStreams, 250);
  assert.equal(session.remoteSettings.maxHeaderListSize, 16 * 1024);
  session.close();
});
