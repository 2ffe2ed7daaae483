import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from "jose";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/health/v1/health_pb.js";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";
import { expectCode } from "../support/expect.ts";

const issuer = "https://issuer.test";
const audience = "personsvc";
let server: TestServer;
let key: CryptoKey;
let otherKey: CryptoKey;

before(async () => {
  const pair = await generateKeyPair("ES256");
  key = pair.privateKey;
  ({ privateKey: otherKey } = await generateKeyPair("ES256"));
  const publicKey = pair.publicKey;
  const jwks = join(mkdtempSync(join(tmpdir(), "personsvc-jwks-")), "jwks.json");
  writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" }] }));
  server = await startTestServer({ AUTH_JWKS_FILE: jwks, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience });
});
after(() => server.close());

async function token(opts: { scope?: string; aud?: string; iss?: string; exp?: string | number; signWith?: CryptoKey } = {}) {
  return new SignJWT({ scope: opts.scope ?? "person.read person.write" })
    .setProtectedHeader({ alg: "ES256", kid: "k1" })
    .setSubject("user-1")
    .setIssuer(opts.iss ?? issuer)
    .setAudience(opts.aud ?? audience)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? "5m")
    .sign(opts.signWith ?? key);
}

const protocols = ["gRPC (h2c)", "Connect JSON (HTTP/1.1)", "gRPC-Web (HTTP/1.1)"];

describe("with auth on", () => {
  for (const protocol of protocols) {
    test(`${protocol}: missing, expired, wrong audience, wrong issuer and forged tokens are UNAUTHENTICATED`, async () => {
      const client = personClient(transportsFor(server.baseUrl)[protocol]!);
      const as = async (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
      await expectCode(client.listPeople({}), Code.Unauthenticated, "missing");
      const expired = await expectCode(client.listPeople({}, await as(await token({ exp: Math.floor(Date.now() / 1000) - 120 }))), Code.Unauthenticated);
      assert.match(expired.rawMessage, /expired/);
      const aud = await expectCode(client.listPeople({}, await as(await token({ aud: "someone-else" }))), Code.Unauthenticated);
      assert.match(aud.rawMessage, /aud/);
      await expectCode(client.listPeople({}, await as(await token({ iss: "https://evil.test" }))), Code.Unauthenticated);
      await expectCode(client.listPeople({}, await as(await token({ signWith: otherKey }))), Code.Unauthenticated);
      await expectCode(client.listPeople({}, { headers: { authorization: "Bearer not.a.jwt" } }), Code.Unauthenticated);
      // A good token reads; a read-only one cannot write.
      await client.listPeople({}, await as(await token()));
      await expectCode(client.createPerson({ firstName: "A", lastName: "B" }, await as(await token({ scope: "person.read" }))), Code.PermissionDenied);
      const { person } = await client.createPerson({ firstName: "A", lastName: "B" }, await as(await token({ scope: "person.write" })));
      assert.ok(person?.id);
    });
  }

  test("REST: 401 with WWW-Authenticate, 403 for a missing scope, 200 with a good token", async () => {
    const none = await fetch(`${server.baseUrl}/api/v1/person`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer /);
    assert.equal(((await none.json()) as { code: string }).code, "unauthenticated");
    const expired = await fetch(`${server.baseUrl}/api/v1/person`, { headers: { authorization: `Bearer ${await token({ exp: 1 })}` } });
    assert.equal(expired.status, 401);
    const readOnly = await fetch(`${server.baseUrl}/api/v1/person`, {
      method: "POST",
      headers: { authorization: `Bearer ${await token({ scope: "person.read" })}`, "content-type": "application/json" },
      body: JSON.stringify({ firstName: "A", lastName: "B" }),
    });
    assert.equal(readOnly.status, 403);
    const ok = await fetch(`${server.baseUrl}/api/v1/person`, { headers: { authorization: `Bearer ${await token()}` } });
    assert.equal(ok.status, 200);
  });

  test("health (gRPC and HTTP), readiness and metrics stay open", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.baseUrl }));
    assert.equal((await health.check({ service: "" })).status, Status.SERVING);
    for (const path of ["/healthz", "/readyz", "/metrics"]) assert.equal((await fetch(server.baseUrl + path)).status, 200, path);
  });

  test("refused calls log as client errors, and tokens never reach the log", async () => {
    const t = await token({ aud: "x" });
    await fetch(`${server.baseUrl}/api/v1/person`, { headers: { authorization: `Bearer ${t}` } });
    const text = JSON.stringify(server.logs);
    assert.ok(!text.includes(t));
    assert.ok(server.logs.some((l) => l.code === "unauthenticated" && l.level === "info"));
  });
});
