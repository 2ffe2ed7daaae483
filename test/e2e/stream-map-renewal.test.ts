import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { startTestServer } from "../support/test-server.ts";
import { personClient } from "../support/clients.ts";
import { selfSignedCert } from "../support/self-signed.ts";
import { collectorOnDemand } from "../../src/adapters/system/runtime-v8-flags.ts";

const fullCollection = collectorOnDemand();
const renewedLines = (logs: Array<Record<string, unknown>>) => logs.filter((l) => l.msg === "http2 stream maps renewed after a full collection");

/**
 * A gRPC client keeps one HTTP/2 connection; after a full collection the
 * service renews that session's stream map (HTTP2_STREAM_MAP_RENEWAL, on by
 * default) and the connection goes on serving calls.
 */
for (const tls of [false, true]) {
  test(`after a full collection, the open HTTP/2 session's stream map is renewed and calls go on (${tls ? "h2 over TLS" : "h2c"})`, async () => {
    const cert = tls ? selfSignedCert() : undefined;
    const server = await startTestServer({ LOG_LEVEL: "debug", ...(cert ? { TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile } : {}) });
    const baseUrl = cert ? `https://localhost:${server.port}` : server.baseUrl;
    const client = personClient(createGrpcTransport({ baseUrl, ...(cert ? { nodeOptions: { ca: cert.ca } } : {}) }));
    try {
      const { person } = await client.createPerson({ firstName: "Grace", lastName: "Hopper" });
      fullCollection({ type: "major", execution: "sync", flavor: "last-resort" });
      await sleep(50);
      const lines = renewedLines(server.logs);
      assert.ok(lines.length >= 1, "a renewal was logged");
      assert.ok(lines.every((l) => Number(l.sessions) >= 1), "the client's session was renewed");
      assert.equal(server.logs.filter((l) => l.level === 40).length, 0, "no warning: Node's sessions are as the renewal expects");
      for (let i = 0; i < 20; i++) assert.equal((await client.getPerson({ id: person!.id })).person!.lastName, "Hopper");
    } finally {
      await server.close();
    }
  });
}

test("HTTP2_STREAM_MAP_RENEWAL=off renews nothing", async () => {
  const server = await startTestServer({ LOG_LEVEL: "debug", HTTP2_STREAM_MAP_RENEWAL: "off" });
  const client = personClient(createGrpcTransport({ baseUrl: server.baseUrl }));
  try {
    const { person } = await client.createPerson({ firstName: "Grace", lastName: "Hopper" });
    fullCollection({ type: "major", execution: "sync", flavor: "last-resort" });
    await sleep(50);
    assert.equal(renewedLines(server.logs).length, 0);
    assert.equal((await client.getPerson({ id: person!.id })).person!.firstName, "Grace");
  } finally {
    await server.close();
  }
});
