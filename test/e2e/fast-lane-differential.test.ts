import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { create, fromBinary, fromJsonString, toBinary, toJsonString, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import {
  CreatePersonRequestSchema,
  CreatePersonResponseSchema,
  DeletePersonRequestSchema,
  GetPersonRequestSchema,
  ListPeopleRequestSchema,
  UpdatePersonRequestSchema,
} from "../../gen/person/v1/person_pb.js";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { withSlowGet } from "../support/slow-repository.ts";
import { createSqlitePersonRepository } from "../../src/adapters/sqlite/sqlite-person-repository.ts";
import { grpcFrame } from "../support/raw-clients.ts";
import { exchangeHttp1, exchangeHttp2, type RawRequest, type RawResponse } from "../support/raw-exchange.ts";

// The same requests — valid, invalid and malformed, in every protocol — go to
// a server with the unary fast lane and to one without (FAST_LANE=off: the
// stock connect-es handlers on Fastify). Both start from the same state with
// the same clock and ids, so every answer must match byte for byte: status,
// headers (but the date), body and trailers; and so must the log lines.

let lane: TestServer;
let stock: TestServer;
const t0 = 1_764_000_000_000_000_000n;

function deterministic() {
  let n = 0;
  let ticks = 0n;
  return {
    clock: { now: () => t0 + 1_000n * ticks++ },
    ids: { next: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}` },
  };
}

before(async () => {
  const env = { MAX_REQUEST_BYTES: "4096" };
  lane = await startTestServer({ ...env, FAST_LANE: "on" }, undefined, undefined, undefined, deterministic());
  stock = await startTestServer({ ...env, FAST_LANE: "off" }, undefined, undefined, undefined, deterministic());
});
after(async () => {
  await lane.close();
  await stock.close();
});

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const path = (method: string) => `/person.v1.PersonService/${method}`;

type Encoding = "grpc" | "grpc-web" | "connect-proto" | "connect-json";
interface Transport {
  readonly name: string;
  readonly encoding: Encoding;
  readonly send: (baseUrl: string, req: RawRequest) => Promise<RawResponse>;
}
const transports: Transport[] = [
  { name: "gRPC h2c", encoding: "grpc", send: exchangeHttp2 },
  { name: "gRPC-Web HTTP/1.1", encoding: "grpc-web", send: exchangeHttp1 },
  { name: "gRPC-Web h2c", encoding: "grpc-web", send: exchangeHttp2 },
  { name: "Connect proto HTTP/1.1", encoding: "connect-proto", send: exchangeHttp1 },
  { name: "Connect JSON HTTP/1.1", encoding: "connect-json", send: exchangeHttp1 },
  { name: "Connect JSON h2c", encoding: "connect-json", send: exchangeHttp2 },
];

const contentType: Record<Encoding, string> = {
  grpc: "application/grpc",
  "grpc-web": "application/grpc-web+proto",
  "connect-proto": "application/proto",
  "connect-json": "application/json",
};

/** A message in a transport's encoding and framing. */
function encode<D extends DescMessage>(encoding: Encoding, schema: D, init: MessageInitShape<D>): Uint8Array {
  const message = create(schema, init);
  if (encoding === "connect-json") return Buffer.from(toJsonString(schema, message));
  const bytes = toBinary(schema, message);
  return encoding === "connect-proto" ? bytes : grpcFrame(bytes);
}

let sequence = 0;
/** Sends the same request to both servers and asserts both answers (and log lines) are identical. */
async function same(t: Transport, method: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<RawResponse> {
  const requestId = `diff-${++sequence}`;
  const req: RawRequest = {
    path: path(method),
    headers: { "content-type": contentType[t.encoding], "x-request-id": requestId, ...(t.encoding === "grpc" ? { te: "trailers" } : {}), ...headers },
    body,
  };
  const [fast, slow] = await Promise.all([t.send(lane.baseUrl, req), t.send(stock.baseUrl, req)]);
  assert.deepEqual(fast, slow, `${t.name} ${method} ${JSON.stringify(headers)}`);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(logLineOf(lane, requestId), logLineOf(stock, requestId), `log line of ${t.name} ${method}`);
  return fast;
}

/** The id of the person in a CreatePerson answer. */
function createdId(encoding: Encoding, res: RawResponse): string {
  const bytes = Buffer.from(res.body, "hex");
  if (encoding === "connect-json") return fromJsonString(CreatePersonResponseSchema, bytes.toString()).person!.id;
  const message = encoding === "connect-proto" ? bytes : bytes.subarray(5, 5 + bytes.readUInt32BE(1));
  return fromBinary(CreatePersonResponseSchema, message).person!.id;
}

const person = { firstName: "Ada", lastName: "Lovelace", middleName: "King", suffix: "Countess" };

for (const t of transports) {
  test(`${t.name}: the fast lane answers exactly as the stock handler does`, async () => {
    const e = <D extends DescMessage>(schema: D, init: MessageInitShape<D>) => encode(t.encoding, schema, init);
    // Valid calls: create (then read, list, update, delete it), in both stores alike.
    const created = await same(t, "CreatePerson", e(CreatePersonRequestSchema, person));
    assert.equal(created.status, 200);
    const lastId = createdId(t.encoding, created);
    await same(t, "GetPerson", e(GetPersonRequestSchema, { id: lastId! }));
    for (let i = 0; i < 12; i++) await same(t, "CreatePerson", e(CreatePersonRequestSchema, { firstName: `F${i}`, lastName: `L${i}` }));
    await same(t, "ListPeople", e(ListPeopleRequestSchema, { pageSize: 20 }));
    await same(t, "ListPeople", e(ListPeopleRequestSchema, { pageSize: 20 }), { [t.encoding.startsWith("grpc") ? "grpc-accept-encoding" : "accept-encoding"]: "gzip" });
    await same(t, "UpdatePerson", e(UpdatePersonRequestSchema, { id: lastId!, firstName: "Augusta", lastName: "King", etag: "W/\"stale\"" }));
    await same(t, "UpdatePerson", e(UpdatePersonRequestSchema, { id: lastId!, firstName: "Augusta", lastName: "King" }));
    await same(t, "DeletePerson", e(DeletePersonRequestSchema, { id: lastId! }));
    // Invalid requests: validation errors with their details.
    await same(t, "GetPerson", e(GetPersonRequestSchema, { id: lastId! }));
    await same(t, "GetPerson", e(GetPersonRequestSchema, { id: "not-a-uuid" }));
    await same(t, "CreatePerson", e(CreatePersonRequestSchema, { firstName: "", lastName: "x".repeat(300) }));
    await same(t, "ListPeople", e(ListPeopleRequestSchema, { pageSize: -1 }));
    await same(t, "ListPeople", e(ListPeopleRequestSchema, { pageToken: "garbage" }));
    // Malformed bodies, framing, headers.
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    if (t.encoding === "connect-json") {
      await same(t, "GetPerson", Buffer.from("{not json"));
      await same(t, "GetPerson", Buffer.from('{"id": 1}'));
      await same(t, "GetPerson", Buffer.from('{"id": "x", "unknown": true}'));
      await same(t, "GetPerson", Buffer.from('{"__proto__": {"id": "x"}}'));
      await same(t, "GetPerson", Buffer.from(""));
    } else if (t.encoding === "connect-proto") {
      await same(t, "GetPerson", garbage);
      await same(t, "GetPerson", Buffer.alloc(0));
    } else {
      const ok = e(GetPersonRequestSchema, { id: id(2) });
      await same(t, "GetPerson", grpcFrame(garbage));
      await same(t, "GetPerson", Buffer.alloc(0)); // no message
      await same(t, "GetPerson", Buffer.from([0, 0, 0])); // half an envelope header
      await same(t, "GetPerson", Buffer.from(ok).subarray(0, ok.byteLength - 2)); // truncated
      await same(t, "GetPerson", Buffer.concat([ok, ok])); // two messages
      await same(t, "GetPerson", grpcFrame(Buffer.from(ok).subarray(5), 1)); // compressed flag, no encoding
      await same(t, "GetPerson", grpcFrame(gzipSync(Buffer.from(ok).subarray(5)), 1), { "grpc-encoding": "gzip" });
      // Compressed and plain envelopes mixed: the refusals come in the same order either way.
      const zipped = grpcFrame(gzipSync(Buffer.from(ok).subarray(5)), 1);
      await same(t, "GetPerson", Buffer.concat([zipped, ok]), { "grpc-encoding": "gzip" }); // two messages, the first compressed
      await same(t, "GetPerson", Buffer.concat([ok, zipped]), { "grpc-encoding": "gzip" }); // two messages, the second compressed
      await same(t, "GetPerson", Buffer.concat([zipped, Buffer.from([0, 0])]), { "grpc-encoding": "gzip" }); // then half a header
      await same(t, "GetPerson", Buffer.concat([zipped, grpcFrame(garbage)]), { "grpc-encoding": "gzip" }); // then a malformed message
      await same(t, "GetPerson", ok, { "grpc-encoding": "snappy" });
      await same(t, "GetPerson", ok, { "grpc-timeout": "soon" });
      await same(t, "GetPerson", ok, { "grpc-timeout": "1000000000S" });
      await same(t, "GetPerson", ok, { "grpc-timeout": "5S", "grpc-accept-encoding": "br, gzip" });
      await same(t, "GetPerson", Buffer.concat([Buffer.from([0, 0, 0, 0x20, 0]), Buffer.alloc(64)])); // claims 8 KiB, over the 4 KiB cap
      if (t.encoding === "grpc-web") await same(t, "GetPerson", Buffer.concat([grpcFrame(Buffer.from("grpc-status: 0\r\n"), 0x80), ok]));
    }
    if (t.encoding.startsWith("connect")) {
      const ok = e(GetPersonRequestSchema, { id: id(2) });
      await same(t, "GetPerson", gzipSync(ok), { "content-encoding": "gzip" });
      await same(t, "GetPerson", ok, { "content-encoding": "snappy" });
      await same(t, "GetPerson", Buffer.from("x"), { "content-encoding": "gzip" });
      await same(t, "GetPerson", ok, { "connect-timeout-ms": "soon" });
      await same(t, "GetPerson", ok, { "connect-timeout-ms": "5000", "connect-protocol-version": "1" });
      await same(t, "GetPerson", Buffer.alloc(5000, 0x20)); // over the 4 KiB cap
    }
    // An unknown method, a content type the lane does not serve: both take the stock path.
    await same(t, "NoSuchMethod", e(GetPersonRequestSchema, { id: id(2) }));
    await same(t, "GetPerson", e(GetPersonRequestSchema, { id: id(2) }), { "content-type": "text/plain" });
  });
}

/** The log line of a request, but what differs between any two runs (time, duration) or lanes. */
function logLineOf(s: TestServer, requestId: string) {
  const line = s.logs.findLast((l) => l.requestId === requestId);
  if (!line) return undefined;
  const { time: _t, durationMs: _d, pid: _p, hostname: _h, lane: _l, ...rest } = line;
  return rest;
}

test("REST (HTTP/1.1 and h2c): the fast lane answers exactly as the stock handler does", async () => {
  let n = 0;
  const rest = async (method: string, route: string, body?: string, send = exchangeHttp1, headers: Record<string, string> = {}) => {
    const requestId = `rest-${++n}`;
    const req: RawRequest = {
      method,
      path: route,
      headers: { "x-request-id": requestId, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: Buffer.from(body ?? ""),
    };
    const [fast, slow] = await Promise.all([send(lane.baseUrl, req), send(stock.baseUrl, req)]);
    assert.deepEqual(fast, slow, `${method} ${route} ${body ?? ""}`);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(logLineOf(lane, requestId), logLineOf(stock, requestId), `log line of ${method} ${route}`);
    return fast;
  };
  for (const send of [exchangeHttp1, exchangeHttp2]) {
    const created = await rest("POST", "/api/v1/person", JSON.stringify(person), send);
    const personId = (JSON.parse(Buffer.from(created.body, "hex").toString()) as { id: string }).id;
    await rest("GET", `/api/v1/person/${personId}`, undefined, send);
    await rest("GET", "/api/v1/person?pageSize=3", undefined, send);
    await rest("GET", "/api/v1/person?pageSize=-3", undefined, send);
    await rest("GET", "/api/v1/person/not-a-uuid", undefined, send);
    await rest("PUT", `/api/v1/person/${personId}`, JSON.stringify({ firstName: "A", lastName: "B", etag: "W/\"x\"" }), send);
    await rest("PUT", `/api/v1/person/${personId}`, JSON.stringify({ firstName: "A", lastName: "B" }), send);
    await rest("POST", "/api/v1/person", "{bad json", send);
    await rest("POST", "/api/v1/person", JSON.stringify({ firstName: "A", lastName: "B", extra: 1 }), send);
    // What the lane matches itself (bodyless GET and DELETE) against what it leaves to Fastify.
    await rest("GET", `/api/v1/person/${personId}?unknown=1`, undefined, send);
    await rest("GET", "/api/v1/person?pageSize=2&pageSize=3", undefined, send);
    await rest("GET", "/api/v1/person?page_size=2&pageToken=", undefined, send);
    await rest("GET", "/api/v1/person?pageSize=abc", undefined, send);
    await rest("GET", "/api/v1/person?pageSize=1%", undefined, send);
    await rest("GET", "/api/v1/person?pageSize=%32", undefined, send);
    await rest("GET", "/api/v1/person?pageToken=a+b", undefined, send);
    await rest("GET", `/api/v1/person?pageToken=${"a".repeat(5000)}`, undefined, send); // its request JSON is over MAX_REQUEST_BYTES
    await rest("GET", `/api/v1/person/${personId.replace("-", "%2D")}`, undefined, send);
    await rest("GET", "/api/v1/person/%E0%A4%A", undefined, send);
    await rest("GET", "/api/v1/person/a%2Fb", undefined, send);
    await rest("GET", `/api/v1/person/${"x".repeat(201)}`, undefined, send);
    await rest("GET", `/api/v1/person/${"x".repeat(200)}`, undefined, send);
    await rest("GET", `/api/v1/person/${personId}/`, undefined, send);
    await rest("GET", `/api/v1//person/${personId}`, undefined, send);
    await rest("GET", `/API/v1/person/${personId}`, undefined, send);
    await rest("GET", `/api/v1/person/${personId};x=1`, undefined, send);
    await rest("GET", `/api/v1/person/${personId}`, "", send, { "content-type": "text/plain" });
    await rest("GET", `/api/v1/person/${personId}`, undefined, send, { "connect-timeout-ms": "soon" });
    await rest("GET", `/api/v1/person/${personId}`, undefined, send, { "accept-encoding": "gzip", "content-encoding": "gzip" });
    await rest("HEAD", `/api/v1/person/${personId}`, undefined, send);
    await rest("DELETE", `/api/v1/person/${personId}`, "{}", send);
    await rest("DELETE", `/api/v1/person/${personId}`, undefined, send);
    await rest("DELETE", `/api/v1/person/${personId}`, undefined, send);
    await rest("GET", `/api/v1/person/${personId}`, undefined, send);
  }
});

test("the lane server took the calls on the fast lane (REST included), the other on the stock path", () => {
  const lanes = (s: TestServer) => new Set(s.logs.filter((l) => l.msg === "rpc").map((l) => l.lane));
  assert.deepEqual([...lanes(stock)], ["stock"]);
  // Unknown methods and content types were left to the stock path by the lane server too.
  assert.deepEqual([...lanes(lane)].sort(), ["fast", "stock"]);
  const fast = lane.logs.filter((l) => l.lane === "fast").length;
  assert.ok(fast > 100, `${fast} calls on the fast lane`);
  // Bodyless REST calls (GET, DELETE) are served by the lane itself, from the HTTP request.
  const rest = (s: TestServer, method: string) => s.logs.filter((l) => l.protocol === "rest" && String(l.procedure).endsWith(method));
  assert.ok(rest(lane, "GetPerson").length > 10 && rest(lane, "GetPerson").every((l) => l.lane === "fast"));
  assert.ok(rest(lane, "DeletePerson").some((l) => l.lane === "fast"));
});

test("deadlines (the client's and the default one) end calls the same way on both lanes, and cancel the store call", async () => {
  const slow = () => withSlowGet(createSqlitePersonRepository({ path: ":memory:" }), 2_000);
  const env = { DEFAULT_DEADLINE_MS: "100" };
  const lanePeople = slow();
  const stockPeople = slow();
  const fast = await startTestServer({ ...env, FAST_LANE: "on" }, lanePeople);
  const slowServer = await startTestServer({ ...env, FAST_LANE: "off" }, stockPeople);
  try {
    for (const t of transports) {
      const deadlines: Array<Record<string, string>> = [{}, t.encoding.startsWith("grpc") ? { "grpc-timeout": "50m" } : { "connect-timeout-ms": "50" }];
      for (const headers of deadlines) {
        const req: RawRequest = {
          path: path("GetPerson"),
          headers: { "content-type": contentType[t.encoding], "x-request-id": `deadline-${++sequence}`, ...(t.encoding === "grpc" ? { te: "trailers" } : {}), ...headers },
          body: encode(t.encoding, GetPersonRequestSchema, { id: id(1) }),
        };
        const [a, b] = await Promise.all([t.send(fast.baseUrl, req), t.send(slowServer.baseUrl, req)]);
        assert.deepEqual(a, b, `${t.name} ${JSON.stringify(headers)}`);
        assert.match(JSON.stringify(a), /deadline|DEADLINE|504|%20ms%20passed|timed%20out/);
      }
    }
    assert.equal(lanePeople.cancelled, stockPeople.cancelled);
    assert.equal(lanePeople.cancelled, transports.length * 2, "every store call was cancelled");
  } finally {
    await fast.close();
    await slowServer.close();
  }
});
