import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Code } from "@connectrpc/connect";
import { expectCode } from "../support/expect.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

test("250 people in pages of 100/100/50: no duplicate, no gap, while others are inserted between pages", async () => {
  const client = personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!);
  const original = new Set<string>();
  for (let i = 0; i < 250; i++) {
    // Duplicate names on purpose: the id breaks ties.
    const lastName = `L${String(i % 125).padStart(3, "0")}`;
    const { person } = await client.createPerson({ firstName: "F", lastName });
    original.add(person!.id);
  }
  const seen: string[] = [];
  const sizes: number[] = [];
  const order: string[] = [];
  let pageToken = "";
  let round = 0;
  const aheadIds: string[] = [];
  do {
    const page = await client.listPeople({ pageSize: 100, pageToken });
    sizes.push(page.people.length);
    for (const p of page.people) {
      order.push(`${p.lastName}\u0000${p.firstName}\u0000${p.id}`);
      if (original.has(p.id)) seen.push(p.id);
    }
    pageToken = page.nextPageToken;
    // Between pages: people who sort before the cursor (never seen: they
    // would shift an OFFSET and duplicate a row) and ahead of it (seen once).
    round++;
    for (const lastName of ["A000", "B000", "L000"]) await client.createPerson({ firstName: "Before", lastName });
    const ahead = (await client.createPerson({ firstName: "Ahead", lastName: `L${50 * round + 10}` })).person!;
    aheadIds.push(ahead.id);
  } while (pageToken !== "" && round < 10);

  assert.equal(new Set(seen).size, seen.length, "no person is listed twice");
  assert.equal(seen.length, 250, "every original person is listed");
  assert.deepEqual(sizes.slice(0, 2), [100, 100]);
  assert.ok(sizes.length === 3 && sizes[2]! >= 50, `pages ${sizes}`);
  const listed = new Set(order.map((k) => k.split("\u0000")[2]));
  assert.ok(aheadIds.slice(0, 2).every((id) => listed.has(id)), "people inserted ahead of the cursor are listed");
  const plain = await client.listPeople({ pageSize: 100 });
  assert.equal(plain.people.length, 100);
  assert.deepEqual(order, [...order].sort(), "ordered by last name, first name, id");
});

test("page_size: 0 means 25, over 100 is lowered to 100, negative is INVALID_ARGUMENT", async () => {
  const client = personClient(transportsFor(server.baseUrl)["Connect JSON (HTTP/1.1)"]!);
  assert.equal((await client.listPeople({})).people.length, 25);
  assert.equal((await client.listPeople({ pageSize: 1000 })).people.length, 100);
  const err = await expectCode(client.listPeople({ pageSize: -1 }), Code.InvalidArgument);
  assert.match(err.rawMessage, /page_size/);
});

test("a page token that the service did not make is INVALID_ARGUMENT naming page_token", async () => {
  const client = personClient(transportsFor(server.baseUrl)["Connect JSON (HTTP/1.1)"]!);
  for (const pageToken of ["not-a-token", Buffer.from('{"a":1}').toString("base64url"), "x".repeat(5000)]) {
    const err = await expectCode(client.listPeople({ pageToken }), Code.InvalidArgument);
    assert.match(err.rawMessage, /^page_token: /);
  }
});
