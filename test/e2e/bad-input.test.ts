import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http2 from "node:http2";
import { Code } from "@connectrpc/connect";
import { expectCode } from "../support/expect.ts";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { curlJson, personClient, transportsFor } from "../support/clients.ts";
import { grpcFrame, rawGrpc, rawGrpcWeb } from "../support/raw-clients.ts";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const valid = { firstName: "Ada", middleName: "B", lastName: "Lovelace", suffix: "Jr." };
const uuid = "8f0e6f43-4a4e-4b6e-9a4e-3f1f2b0f9a11";

/** [what, field as the client sees it, request patch] */
const badFields: Array<[string, string, Record<string, string>]> = [
  ["empty first name", "first_name", { firstName: "" }],
  ["blank first name", "first_name", { firstName: "   " }],
  ["first name over 50", "first_name", { firstName: "a".repeat(51) }],
  ["first name with a control character", "first_name", { firstName: "Ad\u0007a" }],
  ["first name with a NUL", "first_name", { firstName: "Ad\u0000a" }],
  ["middle name over 50", "middle_name", { middleName: "m".repeat(51) }],
  ["middle name with a newline", "middle_name", { middleName: "a\nb" }],
  ["empty last name", "last_name", { lastName: "" }],
  ["last name over 100", "last_name", { lastName: "l".repeat(101) }],
  ["last name over 100 UTF-16 units (emoji count 2)", "last_name", { lastName: "😀".repeat(51) }],
  ["last name with a line separator", "last_name", { lastName: "a\u2028b" }],
  ["suffix over 20", "suffix", { suffix: "s".repeat(21) }],
  ["suffix with DEL", "suffix", { suffix: "Jr\u007f" }],
  ["request id not a UUID", "request_id", { requestId: "1234" }],
];

describe("each bad field gets INVALID_ARGUMENT naming it, with a BadRequest detail, on every protocol", () => {
  for (const protocol of Object.keys(transportsFor("http://unused"))) {
    if (protocol.startsWith("Connect GET")) continue;
    test(protocol, async () => {
      const client = personClient(transportsFor(server.baseUrl)[protocol]!);
      for (const [what, field, patch] of badFields) {
        const err = await expectCode(client.createPerson({ ...valid, ...patch }), Code.InvalidArgument, what);
        assert.match(err.rawMessage, new RegExp(`^${field}: `), what);
        const [badRequest] = err.findDetails(BadRequestSchema);
        assert.deepEqual(badRequest?.fieldViolations.map((v) => v.field), [field], what);
      }
      const both = await expectCode(client.createPerson({ firstName: "", lastName: "" }), Code.InvalidArgument);
      assert.deepEqual(both.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => v.field), [
        "first_name",
        "last_name",
      ]);
      for (const id of ["", "nope", "8f0e6f43-4a4e-4b6e-9a4e-3f1f2b0f9a1", "8f0e6f43x4a4e-4b6e-9a4e-3f1f2b0f9a11", `${uuid}\n`]) {
        for (const call of [
          () => client.getPerson({ id }),
          () => client.updatePerson({ ...valid, id }),
          () => client.deletePerson({ id }),
        ]) {
          const err = await expectCode(call(), Code.InvalidArgument, `id ${JSON.stringify(id)}`);
          assert.match(err.rawMessage, /^id: must be a UUID/);
        }
      }
      const etag = await expectCode(client.updatePerson({ ...valid, id: uuid, etag: "e".repeat(200) }), Code.InvalidArgument);
      assert.match(etag.rawMessage, /^etag: /);
    });
  }
});

describe("malformed bodies", () => {
  test("unknown JSON fields are INVALID_ARGUMENT naming the field", async () => {
    const res = await curlJson(server.baseUrl, "CreatePerson", { ...valid, nickname: "Ada" });
    assert.equal(res.status, 400);
    assert.equal(res.json.code, "invalid_argument");
    assert.match(res.json.message, /"nickname" is unknown/);
  });

  test("wrong JSON types are INVALID_ARGUMENT naming the field", async () => {
    for (const [body, field] of [
      [{ ...valid, firstName: 5 }, "first_name"],
      [{ ...valid, lastName: ["x"] }, "last_name"],
      [{ pageSize: "many" }, "page_size"],
      [{ pageSize: 1e12 }, "page_size"],
    ] as const) {
      const method = "pageSize" in body ? "ListPeople" : "CreatePerson";
      const res = await curlJson(server.baseUrl, method, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.code, "invalid_argument");
      assert.match(res.json.message, new RegExp(field), JSON.stringify(res.json));
    }
  });

  test("JSON that does not parse is INVALID_ARGUMENT", async () => {
    for (const body of ["{", "null", "[]", '"str"', "{\"firstName\": \"a\",}"]) {
      const res = await curlJson(server.baseUrl, "CreatePerson", body);
      assert.equal(res.status, 400, body);
      assert.equal(res.json.code, "invalid_argument", body);
    }
  });

  const garbage = [
    Buffer.from([0x0a, 0x05, 0xff, 0xff]), // truncated string
    Buffer.from([0x0a, 0x02, 0xc3, 0x28]), // invalid UTF-8 in a string field
    Buffer.from([0x0f]), // invalid wire type
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // varint too long
  ];
  const path = "/person.v1.PersonService/CreatePerson";

  test("malformed protobuf over Connect binary is INVALID_ARGUMENT (400)", async () => {
    for (const body of garbage) {
      const res = await fetch(server.baseUrl + path, { method: "POST", headers: { "content-type": "application/proto" }, body });
      const json = (await res.json()) as { code: string; message: string };
      assert.equal(res.status, 400);
      assert.equal(json.code, "invalid_argument");
      assert.match(json.message, /not a valid person\.v1\.CreatePersonRequest/);
    }
  });

  test("malformed protobuf over gRPC and gRPC-Web is INVALID_ARGUMENT (3)", async () => {
    for (const body of garbage) {
      const grpc = await rawGrpc(server.baseUrl, path, grpcFrame(body));
      assert.equal(grpc.status, "3");
      assert.match(grpc.message ?? "", /not a valid person\.v1\.CreatePersonRequest/);
      const web = await rawGrpcWeb(server.baseUrl, path, grpcFrame(body));
      assert.equal(web.status, "3");
      assert.match(web.message ?? "", /not a valid person\.v1\.CreatePersonRequest/);
    }
    const truncatedFrame = await rawGrpc(server.baseUrl, path, grpcFrame(Buffer.from("abc")).subarray(0, 6));
    assert.notEqual(truncatedFrame.status, "0");
    assert.notEqual(truncatedFrame.status, "13");
  });

  test("a body over the cap is RESOURCE_EXHAUSTED on every protocol", async () => {
    const huge = "x".repeat(1024 * 1024 + 10);
    for (const [protocol, transport] of Object.entries(transportsFor(server.baseUrl))) {
      if (protocol.startsWith("Connect GET")) continue;
      await expectCode(personClient(transport).createPerson({ firstName: huge, lastName: "L" }), Code.ResourceExhausted, protocol);
    }
    const res = await curlJson(server.baseUrl, "CreatePerson", { firstName: huge, lastName: "L" });
    assert.equal(res.status, 429);
    assert.equal(res.json.code, "resource_exhausted");
    assert.equal(res.headers.get("connection"), "close", "a refused, unread body is not drained");
  });

  test("an unsupported content type is refused by Connect, not by Fastify", async () => {
    const res = await fetch(server.baseUrl + path, { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" });
    assert.equal(res.status, 415);
  });

  test("after all that, the server still serves", async () => {
    const client = personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!);
    const { person } = await client.createPerson(valid);
    assert.equal(person!.firstName, "Ada");
    const errors = server.logs.filter((l) => l.level === "error");
    assert.deepEqual(errors, [], "no bad input was logged as a server fault");
  });
});

describe("HTTP methods", () => {
  const methods = ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
  /** Status of `method` on `path`, over HTTP/1.1 (fetch) and over h2c. */
  async function statusOf(baseUrl: string, method: string, path: string): Promise<[number, number]> {
    const h1 = (await fetch(baseUrl + path, { method })).status;
    const session = http2.connect(baseUrl);
    try {
      const h2 = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ":method": method, ":path": path });
        req.on("response", (headers) => resolve(Number(headers[":status"])));
        req.on("error", reject);
        req.resume();
        req.end();
      });
      return [h1, h2];
    } finally {
      session.close();
    }
  }

  test("an RPC's path answers other methods than POST and GET with 405; other paths stay 404 (lane on and off)", async () => {
    const stock = await startTestServer({ FAST_LANE: "off" });
    try {
      for (const base of [server.baseUrl, stock.baseUrl]) {
        for (const method of methods) {
          for (const rpc of ["/person.v1.PersonService/GetPerson", "/grpc.health.v1.Health/Check", "/person.v1.PersonService/Get%50erson"]) {
            assert.deepEqual(await statusOf(base, method, rpc), [405, 405], `${method} ${rpc}`);
          }
          assert.deepEqual(await statusOf(base, method, "/person.v1.PersonService/NoSuchMethod"), [404, 404], `${method} unknown method`);
          assert.deepEqual(await statusOf(base, method, "/no/such"), [404, 404], `${method} /no/such`);
          assert.deepEqual(await statusOf(base, method, "/person.v1.PersonService%2FGetPerson"), [404, 404], `${method} encoded slash`);
        }
        const get = await fetch(`${base}/person.v1.PersonService/GetPerson?encoding=json&message=${encodeURIComponent(JSON.stringify({ id: uuid }))}`);
        assert.equal(get.status, 404, "Connect GET still reaches the RPC (not found: no such person)");
      }
    } finally {
      await stock.close();
    }
  });
});
