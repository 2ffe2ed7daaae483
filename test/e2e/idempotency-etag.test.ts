import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { expectCode, outcomeOf } from "../support/expect.ts";
import type { Person } from "../../gen/person/v1/person_pb.js";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const grpc = () => personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!);
const codeOf = outcomeOf;
const namesOf = (p: Person) => ({ id: p.id, firstName: p.firstName, middleName: p.middleName, lastName: p.lastName, suffix: p.suffix });

test("a retried create with the same request_id returns the first person, not a duplicate", async () => {
  const client = grpc();
  const requestId = randomUUID();
  const first = (await client.createPerson({ firstName: "Edsger", lastName: "Dijkstra", requestId })).person!;
  const retries = await Promise.all(
    Array.from({ length: 5 }, () => client.createPerson({ firstName: "Edsger", lastName: "Dijkstra", requestId })),
  );
  for (const r of retries) assert.equal(r.person!.id, first.id);
  const all = await client.listPeople({ pageSize: 100 });
  assert.equal(all.people.filter((p) => p.lastName === "Dijkstra").length, 1);
  // Without a request id every call creates.
  await client.createPerson({ firstName: "Edsger", lastName: "Dijkstra" });
  const after = await client.listPeople({ pageSize: 100 });
  assert.equal(after.people.filter((p) => p.lastName === "Dijkstra").length, 2);
});

test("a request_id reused with other names is ALREADY_EXISTS; a malformed one is INVALID_ARGUMENT", async () => {
  const client = grpc();
  const requestId = randomUUID();
  await client.createPerson({ firstName: "Barbara", lastName: "Liskov", requestId });
  assert.equal(await codeOf(client.createPerson({ firstName: "Other", lastName: "Liskov", requestId })), "AlreadyExists");
  const err = await expectCode(client.createPerson({ firstName: "B", lastName: "L", requestId: "nope" }), Code.InvalidArgument);
  assert.match(err.rawMessage, /request_id/);
});

test("a retry after the person was deleted is NOT_FOUND rather than a silent re-create", async () => {
  const client = grpc();
  const requestId = randomUUID();
  const { person } = await client.createPerson({ firstName: "Tony", lastName: "Hoare", requestId });
  await client.deletePerson({ id: person!.id });
  assert.equal(await codeOf(client.createPerson({ firstName: "Tony", lastName: "Hoare", requestId })), "NotFound");
});

test("a stale etag on update or delete is ABORTED and leaves the row unchanged", async () => {
  const client = grpc();
  const v1 = (await client.createPerson({ firstName: "Niklaus", lastName: "Wirth" })).person!;
  const v2 = (await client.updatePerson({ ...namesOf(v1), firstName: "Nik", etag: v1.etag })).person!;
  assert.equal(await codeOf(client.updatePerson({ ...namesOf(v1), firstName: "Klaus", etag: v1.etag })), "Aborted");
  assert.equal(await codeOf(client.deletePerson({ id: v1.id, etag: v1.etag })), "Aborted");
  assert.equal(await codeOf(client.updatePerson({ ...namesOf(v1), etag: "garbage" })), "Aborted");
  const now = (await client.getPerson({ id: v1.id })).person!;
  assert.deepEqual(now, v2);
  // Unconditional writes still work.
  const v3 = (await client.updatePerson({ id: v1.id, firstName: "N", lastName: "W" })).person!;
  assert.notEqual(v3.etag, v2.etag);
  assert.equal(await codeOf(client.updatePerson({ id: randomUUID(), firstName: "a", lastName: "b" })), "NotFound");
});

test("concurrent conditional updates with the same etag: exactly one wins", async () => {
  const client = grpc();
  const v1 = (await client.createPerson({ firstName: "Ken", lastName: "Thompson" })).person!;
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => codeOf(client.updatePerson({ ...namesOf(v1), firstName: `Ken${i}`, etag: v1.etag }))),
  );
  assert.equal(results.filter((r) => r === "ok").length, 1);
  assert.equal(results.filter((r) => r === "Aborted").length, 7);
});
