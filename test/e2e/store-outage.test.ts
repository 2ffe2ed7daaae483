import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Code } from "@connectrpc/connect";
import { createSqlitePersonRepository } from "../../src/adapters/sqlite/sqlite-person-repository.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";
import { expectCode } from "../support/expect.ts";

let server: TestServer;
const path = join(mkdtempSync(join(tmpdir(), "personsvc-outage-")), "people.db");
before(async () => {
  server = await startTestServer({}, createSqlitePersonRepository({ path, busyTimeoutMs: 50 }));
});
after(() => server.close());

test("a locked embedded store gives UNAVAILABLE (not INTERNAL), and service resumes when it is released", async () => {
  const client = personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!);
  const kept = (await client.createPerson({ firstName: "Before", lastName: "Outage" })).person!;

  const other = new DatabaseSync(path);
  other.exec("BEGIN EXCLUSIVE");
  const started = Date.now();
  const err = await expectCode(client.createPerson({ firstName: "During", lastName: "Outage" }), Code.Unavailable);
  assert.ok(Date.now() - started < 2000, "fails fast");
  assert.doesNotMatch(err.rawMessage, /SQLITE|database|locked/i, "no driver detail reaches the client");
  other.exec("ROLLBACK");
  other.close();

  const after = (await client.createPerson({ firstName: "After", lastName: "Outage" })).person!;
  assert.equal(after.firstName, "After");
  assert.deepEqual((await client.getPerson({ id: kept.id })).person, kept);
  const line = server.logs.find((l) => l.code === "unavailable");
  assert.equal(line?.level, "info", "an outage is not logged as a bug");
});
