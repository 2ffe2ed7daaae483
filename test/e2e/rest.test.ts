import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createSqlitePersonRepository } from "../../src/adapters/sqlite/sqlite-person-repository.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { withSlowGet } from "../support/slow-repository.ts";

const dbPath = join(mkdtempSync(join(tmpdir(), "personsvc-rest-")), "people.db");
const slow = withSlowGet(createSqlitePersonRepository({ path: dbPath, busyTimeoutMs: 50 }), 300);
let server: TestServer;
before(async () => {
  server = await startTestServer({}, slow);
});
after(() => server.close());

/** A REST call exactly as curl would make it. */
async function rest(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.baseUrl + path, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe("REST, as curl sends it", () => {
  test("the CRUD scenario", async () => {
    const created = await rest("POST", "/api/v1/person", { firstName: "Ada", lastName: "Lovelace", middle_name: "" });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    assert.equal(created.headers.get("content-type"), "application/json; charset=utf-8");
    const person = created.json;
    assert.equal(person.firstName, "Ada", "response_body: the Person itself, not a wrapper");
    assert.equal(person.middleName, "");
    assert.deepEqual((await rest("GET", `/api/v1/person/${person.id}`, undefined)).json, person);

    const updated = await rest("PUT", `/api/v1/person/${person.id}`, { firstName: "Augusta", lastName: "King", etag: person.etag });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.firstName, "Augusta");
    assert.equal(updated.json.id, person.id, "the id comes from the path");

    const stale = await rest("PUT", `/api/v1/person/${person.id}`, { firstName: "X", lastName: "Y", etag: person.etag });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.code, "aborted");

    const staleDelete = await rest("DELETE", `/api/v1/person/${person.id}?etag=${person.etag}`);
    assert.equal(staleDelete.status, 409);
    const deleted = await rest("DELETE", `/api/v1/person/${person.id}?etag=${updated.json.etag}`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.json, {});
    const gone = await rest("GET", `/api/v1/person/${person.id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.code, "not_found");
  });

  test("pagination with query parameters, camelCase or proto names", async () => {
    for (let i = 0; i < 7; i++) await rest("POST", "/api/v1/person", { firstName: "P", lastName: `Page${i}` });
    const seen: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const q = pages % 2 === 0 ? `page_size=3&page_token=${token}` : `pageSize=3&pageToken=${token}`;
      const page = await rest("GET", `/api/v1/person?${q}`);
      assert.equal(page.status, 200);
      seen.push(...page.json.people.map((p: { lastName: string }) => p.lastName));
      token = page.json.nextPageToken ?? "";
      pages++;
    } while (token && pages < 10);
    assert.deepEqual(seen.filter((n) => n.startsWith("Page")), ["Page0", "Page1", "Page2", "Page3", "Page4", "Page5", "Page6"]);
  });

  test("errors: 400 with field violations, unknown query parameters, bad JSON, 415, 409 for a reused request id", async () => {
    const invalid = await rest("POST", "/api/v1/person", { firstName: "", lastName: "x".repeat(101) });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.code, "invalid_argument");
    assert.deepEqual(invalid.json.details.find((d: { type: string }) => d.type === "google.rpc.BadRequest").debug.fieldViolations.map((v: { field: string }) => v.field), ["first_name", "last_name"]);
    assert.equal((await rest("GET", "/api/v1/person/not-a-uuid")).status, 400);
    const unknown = await rest("GET", "/api/v1/person?colour=blue");
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.message, /colour/);
    assert.equal((await rest("GET", "/api/v1/person?page_size=ten")).status, 400);
    assert.equal((await rest("POST", "/api/v1/person", "{not json")).status, 400);
    assert.equal((await rest("POST", "/api/v1/person", { firstName: "A", lastName: "B", nickname: "C" })).status, 400);
    const wrongType = await fetch(`${server.baseUrl}/api/v1/person`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" });
    assert.equal(wrongType.status, 415);
    assert.equal(((await wrongType.json()) as { code: string }).code, "invalid_argument");
    const requestId = randomUUID();
    await rest("POST", "/api/v1/person", { firstName: "A", lastName: "B", requestId });
    const reused = await rest("POST", "/api/v1/person", { firstName: "Other", lastName: "B", requestId });
    assert.equal(reused.status, 409);
    assert.equal(reused.json.code, "already_exists");
  });

  test("errors: 429 for a body over the cap", async () => {
    const huge = await rest("POST", "/api/v1/person", { firstName: "x".repeat(1024 * 1024), lastName: "B" });
    assert.equal(huge.status, 429);
    assert.equal(huge.json.code, "resource_exhausted");
  });

  test("errors: 504 when the deadline passes, and the store call is cancelled", async () => {
    const { json: person } = await rest("POST", "/api/v1/person", { firstName: "Slow", lastName: "Read" });
    const before = slow.cancelled;
    const started = Date.now();
    const late = await rest("GET", `/api/v1/person/${person.id}`, undefined, { "connect-timeout-ms": "50" });
    assert.equal(late.status, 504);
    assert.equal(late.json.code, "deadline_exceeded");
    assert.ok(Date.now() - started < 250, "answered at the deadline, not when the store finished");
    assert.equal(slow.cancelled, before + 1);
  });

  test("errors: 503 when the store is unavailable", async () => {
    const other = new DatabaseSync(dbPath);
    other.exec("BEGIN EXCLUSIVE");
    try {
      const res = await rest("POST", "/api/v1/person", { firstName: "A", lastName: "B" });
      assert.equal(res.status, 503);
      assert.equal(res.json.code, "unavailable");
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
  });

  test("REST and Connect calls of the same RPC log identical lines but for the protocol", async () => {
    const { json: person } = await rest("POST", "/api/v1/person", { firstName: "Log", lastName: "Line" });
    await rest("GET", `/api/v1/person/${person.id}`, undefined, { "x-request-id": "same-1" });
    await fetch(`${server.baseUrl}/person.v1.PersonService/GetPerson`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "same-1" },
      body: JSON.stringify({ id: person.id }),
    });
    const [a, b] = server.logs.filter((l) => l.requestId === "same-1");
    const strip = ({ time: _t, durationMs: _d, protocol: _p, ...rest }: Record<string, unknown>) => rest;
    assert.equal(a!.protocol, "rest");
    assert.equal(b!.protocol, "connect");
    assert.deepEqual(strip(a!), strip(b!));
  });
});
