import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Code } from "@connectrpc/connect";
import { expectCode } from "../support/expect.ts";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { curlJson, personClient, transportsFor } from "../support/clients.ts";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());


describe("the CRUD scenario over every protocol, all on one port", () => {
  for (const name of Object.keys(transportsFor("http://unused"))) {
    test(name, async () => {
      const client = personClient(transportsFor(server.baseUrl)[name]!);
      const created = (
        await client.createPerson({ firstName: " Ada ", lastName: "Lovelace", middleName: "", suffix: "II" })
      ).person!;
      assert.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(created.firstName, "Ada", "names are trimmed");
      assert.equal(created.middleName, "", "an empty middle name stays distinct from an absent one");
      assert.equal(created.suffix, "II");
      assert.ok(Math.abs(timestampDate(created.createTime!).getTime() - Date.now()) < 5000);
      assert.equal(created.updateTime, undefined, "update_time is unset until the first update");

      const got = (await client.getPerson({ id: created.id.toUpperCase() })).person!;
      assert.deepEqual(got, created, "ids are case-insensitive on the way in, canonical on the way out");

      const listed = await client.listPeople({ pageSize: 100 });
      assert.ok(listed.people.some((p) => p.id === created.id));

      const updated = (
        await client.updatePerson({ id: created.id, firstName: "Augusta", lastName: "King", etag: created.etag })
      ).person!;
      assert.equal(updated.firstName, "Augusta");
      assert.equal(updated.middleName, undefined, "PUT semantics: absent clears");
      assert.ok(updated.updateTime, "update_time is set by the update");
      assert.notEqual(updated.etag, created.etag);

      await expectCode(
        client.updatePerson({ id: created.id, firstName: "X", lastName: "Y", etag: created.etag }),
        Code.Aborted,
      );
      await expectCode(client.deletePerson({ id: created.id, etag: created.etag }), Code.Aborted);
      assert.equal((await client.getPerson({ id: created.id })).person!.firstName, "Augusta", "stale writes change nothing");

      await client.deletePerson({ id: created.id, etag: updated.etag });
      const missing = await expectCode(client.getPerson({ id: created.id }), Code.NotFound);
      assert.match(missing.rawMessage, new RegExp(created.id));
      await expectCode(client.deletePerson({ id: created.id }), Code.NotFound);
    });
  }

  test("Connect GET is really a GET for GetPerson", async () => {
    const client = personClient(transportsFor(server.baseUrl)["Connect GET (HTTP/1.1)"]!);
    const { person } = await client.createPerson({ firstName: "Grace", lastName: "Hopper" });
    const requestId = "get-probe-" + person!.id;
    await client.getPerson({ id: person!.id }, { headers: { "x-request-id": requestId } });
    const line = server.logs.find((l) => l.requestId === requestId);
    assert.equal(line?.protocol, "connect-get");
    assert.equal(line?.procedure, "person.v1.PersonService/GetPerson");
  });
});

describe("curl-style JSON POSTs", () => {
  test("create, get, update, delete with plain fetch", async () => {
    const created = await curlJson(server.baseUrl, "CreatePerson", { firstName: "Alan", lastName: "Turing" });
    assert.equal(created.status, 200);
    assert.equal(created.headers.get("content-type"), "application/json");
    const person = created.json.person;
    assert.equal(person.firstName, "Alan");
    assert.match(person.createTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    assert.equal("middleName" in person, false);

    const got = await curlJson(server.baseUrl, "GetPerson", { id: person.id });
    assert.deepEqual(got.json.person, person);

    const updated = await curlJson(server.baseUrl, "UpdatePerson", {
      id: person.id,
      first_name: "Alan M.",
      last_name: "Turing",
      etag: person.etag,
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.json));
    assert.equal(updated.json.person.firstName, "Alan M.", "original proto field names are accepted");

    const stale = await curlJson(server.baseUrl, "DeletePerson", { id: person.id, etag: person.etag });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.code, "aborted");

    const deleted = await curlJson(server.baseUrl, "DeletePerson", { id: person.id });
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.json, {});
    const gone = await curlJson(server.baseUrl, "GetPerson", { id: person.id });
    assert.equal(gone.status, 404);
    assert.equal(gone.json.code, "not_found");
  });

  test("the correlation id is taken from x-request-id, or made, and returned", async () => {
    const res = await fetch(`${server.baseUrl}/person.v1.PersonService/ListPeople`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "abc-123" },
      body: "{}",
    });
    assert.equal(res.headers.get("x-request-id"), "abc-123");
    const line = server.logs.find((l) => l.requestId === "abc-123")!;
    assert.equal(line.msg, "rpc");
    assert.equal(line.procedure, "person.v1.PersonService/ListPeople");
    assert.equal(line.protocol, "connect");
    assert.equal(line.encoding, "json");
    assert.equal(line.code, "ok");
    assert.equal(typeof line.durationMs, "number");

    const made = await curlJson(server.baseUrl, "ListPeople", {});
    assert.match(made.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  });

  test("one log line per RPC for gRPC too, with its status code", async () => {
    const client = personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!);
    const id = "00000000-0000-4000-8000-000000000001";
    await client.getPerson({ id }, { headers: { "x-request-id": "grpc-miss" } }).catch(() => undefined);
    const lines = server.logs.filter((l) => l.requestId === "grpc-miss");
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.protocol, "grpc");
    assert.equal(lines[0]!.code, "not_found");
  });
});
