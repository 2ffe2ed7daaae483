import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { startPageServer } from "../support/page-server.ts";

/** The page's document, as far as these tests touch it (no DOM lib in this Node project). */
declare const document: { body: { dataset: Record<string, string | undefined> } };

const executablePath = "/usr/bin/chromium";
// CI installs Chromium (.ci/run); elsewhere the test says why it did not run.
const skip = !existsSync(executablePath) && !process.env.CI ? "Debian's chromium is not installed (apt-get install chromium)" : undefined;

const pageScript = `
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { PersonService } from "/gen/person/v1/person_pb.js";
const api = new URL(location.href).searchParams.get("api");
const out = {};
try {
  const grpcWeb = createClient(PersonService, createGrpcWebTransport({ baseUrl: api }));
  const connect = createClient(PersonService, createConnectTransport({ baseUrl: api }));
  const { person } = await grpcWeb.createPerson({ firstName: "Browser", lastName: "Web" });
  out.created = person.id;
  out.readOverConnect = (await connect.getPerson({ id: person.id })).person.lastName;
  out.readOverGrpcWeb = (await grpcWeb.getPerson({ id: person.id })).person.firstName;
  out.badRequest = await connect.getPerson({ id: "nope" }).then(() => "accepted", (e) => e.code + ":" + e.rawMessage);
} catch (e) {
  out.error = String(e);
}
document.body.dataset.result = JSON.stringify(out);
`;

let browser: Browser;
let server: TestServer;
let page: Awaited<ReturnType<typeof startPageServer>>;
let otherPage: Awaited<ReturnType<typeof startPageServer>>;
before(async () => {
  if (skip) return;
  page = await startPageServer(pageScript);
  otherPage = await startPageServer(pageScript);
  server = await startTestServer({ CORS_ALLOWED_ORIGINS: page.origin });
  browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
  await page?.close();
  await otherPage?.close();
});

async function runPage(origin: string): Promise<Record<string, string>> {
  const tab = await browser.newPage();
  try {
    await tab.goto(`${origin}/?api=${encodeURIComponent(server.baseUrl)}`);
    await tab.waitForFunction(() => document.body.dataset.result !== undefined, undefined, { timeout: 15_000 });
    return JSON.parse((await tab.evaluate(() => document.body.dataset.result)) ?? "{}");
  } finally {
    await tab.close();
  }
}

test("a page on another origin creates and reads a person over gRPC-Web and Connect (connect-web)", { skip }, async () => {
  const result = await runPage(page.origin);
  assert.equal(result.error, undefined);
  assert.match(result.created ?? "", /^[0-9a-f-]{36}$/);
  assert.equal(result.readOverConnect, "Web");
  assert.equal(result.readOverGrpcWeb, "Browser");
  assert.match(result.badRequest ?? "", /^3:id: must be a UUID/);
});

test("CORS: preflight answered for an allowed origin; other origins are refused by the browser", { skip }, async () => {
  const preflight = await fetch(`${server.baseUrl}/person.v1.PersonService/CreatePerson`, {
    method: "OPTIONS",
    headers: {
      origin: page.origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,connect-protocol-version,x-grpc-web,x-user-agent",
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), page.origin);
  assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /connect-protocol-version/i);
  assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
  const refused = await runPage(otherPage.origin);
  assert.match(refused.error ?? "", /fetch|network|failed/i);
  assert.equal(refused.created, undefined);
});

test("Swagger UI at /docs loads offline and shows the operations", { skip }, async () => {
  const tab = await browser.newPage();
  const external: string[] = [];
  tab.on("request", (r) => {
    if (!r.url().startsWith(server.baseUrl)) external.push(r.url());
  });
  try {
    await tab.goto(`${server.baseUrl}/docs`);
    await tab.waitForSelector(".opblock-summary-path", { timeout: 15_000 });
    const paths = await tab.$$eval(".opblock-summary-path", (els) => els.map((e) => e.textContent?.replace(/\u200b/g, "")));
    for (const p of ["/api/v1/person/{id}", "/api/v1/person", "/person.v1.PersonService/CreatePerson"]) {
      assert.ok(paths.includes(p), `${p} in ${paths.join(", ")}`);
    }
    assert.deepEqual(external, [], "no CDN or other outside requests");
  } finally {
    await tab.close();
  }
});
