import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Code, ConnectError } from "@connectrpc/connect";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";
import { grpcFrame, rawGrpc, rawGrpcWeb } from "../support/raw-clients.ts";

// CI runs a fixed-seed sample; `npm run fuzz` runs FUZZ_RUNS (10,000) per surface.
const numRuns = Number(process.env.FUZZ_RUNS ?? 100);
const seed = Number(process.env.FUZZ_SEED ?? 20261125);
const params = { numRuns, seed, endOnFailure: true };

let server: TestServer;
before(async () => {
  server = await startTestServer({ LOG_LEVEL: "debug" });
});
after(() => server.close());

const methods = ["GetPerson", "ListPeople", "CreatePerson", "UpdatePerson", "DeletePerson"];
/** Answers that mean "the client's input was handled as input". */
const clientCodes = new Set(["0", "3", "5", "6", "8", "10"]);
const clientConnect = new Set(["invalid_argument", "not_found", "already_exists", "resource_exhausted", "aborted"]);

async function stillServing() {
  const { people } = await personClient(transportsFor(server.baseUrl)["gRPC (h2c)"]!).listPeople({ pageSize: 1 });
  assert.ok(Array.isArray(people));
}

describe("fuzzing every input surface", () => {
  test("arbitrary bytes as protobuf bodies, every RPC, gRPC / gRPC-Web / Connect binary: never INTERNAL or UNKNOWN", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), fc.uint8Array({ maxLength: 300 }), async (method, bytes) => {
        const path = `/person.v1.PersonService/${method}`;
        const grpc = await rawGrpc(server.baseUrl, path, grpcFrame(bytes));
        assert.ok(clientCodes.has(grpc.status ?? ""), `gRPC ${method}: ${grpc.status} ${grpc.message}`);
        const web = await rawGrpcWeb(server.baseUrl, path, grpcFrame(bytes));
        assert.ok(clientCodes.has(web.status ?? ""), `gRPC-Web ${method}: ${web.status} ${web.message}`);
        const res = await fetch(server.baseUrl + path, { method: "POST", headers: { "content-type": "application/proto" }, body: bytes });
        const body = res.status === 200 ? undefined : ((await res.json()) as { code: string; message: string });
        assert.ok(res.status === 200 || (clientConnect.has(body!.code) && body!.message), `Connect ${method}: ${res.status} ${JSON.stringify(body)}`);
      }),
      params,
    );
    await stillServing();
  });

  test("arbitrary and adversarial JSON to Connect and REST: never a 5xx", async () => {
    const adversarial = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.constantFrom(
        '{"__proto__":{"firstName":"x"},"firstName":"A","lastName":"B"}',
        '{"firstName":"A","firstName":"B","lastName":"C"}',
        '{"pageSize":1e400}',
        '{"pageSize":-0}',
        '{"pageSize":9007199254740993}',
        `${"[".repeat(5000)}${"]".repeat(5000)}`,
        `{"firstName":"${"\\ud800"}","lastName":"x"}`,
        '{"constructor":{"prototype":{"x":1}}}',
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), adversarial, async (method, json) => {
        const connect = await fetch(`${server.baseUrl}/person.v1.PersonService/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: json });
        assert.ok(connect.status < 500, `Connect ${method} ${connect.status}: ${await connect.text()} for ${json.slice(0, 200)}`);
        const rest = await fetch(`${server.baseUrl}/api/v1/person`, { method: "POST", headers: { "content-type": "application/json" }, body: json });
        assert.ok(rest.status < 500, `REST ${rest.status}: ${await rest.text()}`);
      }),
      params,
    );
    assert.equal(({} as Record<string, unknown>).firstName, undefined, "no prototype pollution");
    await stillServing();
  });

  test("REST paths and query strings: never a 5xx", async () => {
    const segment = fc.string({ maxLength: 40 }).map(encodeURIComponent);
    const query = fc.array(fc.tuple(fc.constantFrom("page_size", "pageSize", "page_token", "etag", "id", "x", "shelf.name", "page_size.x"), fc.string({ maxLength: 30 })), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("GET", "PUT", "DELETE"), segment, query, async (verb, id, q) => {
        const qs = q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
        const res = await fetch(`${server.baseUrl}/api/v1/person/${id}?${qs}`, {
          method: verb,
          ...(verb === "PUT" ? { headers: { "content-type": "application/json" }, body: '{"firstName":"A","lastName":"B"}' } : {}),
        });
        assert.ok(res.status < 500, `${verb} /api/v1/person/${id}?${qs} -> ${res.status} ${await res.text()}`);
        const list = await fetch(`${server.baseUrl}/api/v1/person?${qs}`);
        assert.ok(list.status < 500, `GET ?${qs} -> ${list.status}`);
      }),
      params,
    );
  });

  test("headers (timeouts, content types, traceparent, x-request-id): never a 5xx, logs stay one JSON object per line", async () => {
    const printable = fc.string({ maxLength: 60, unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          "grpc-timeout": printable,
          "connect-timeout-ms": printable,
          "content-type": fc.oneof(printable, fc.constantFrom("application/json", "application/json; charset=utf-16", "application/proto", "application/grpc+json", "text/plain")),
          traceparent: fc.oneof(printable, fc.constant("00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-ff")),
          "x-request-id": printable,
        }),
        async (headers) => {
          const res = await fetch(`${server.baseUrl}/person.v1.PersonService/ListPeople`, { method: "POST", headers, body: "{}" });
          assert.ok(res.status < 500, `${JSON.stringify(headers)} -> ${res.status} ${await res.text()}`);
          const id = res.headers.get("x-request-id") ?? "";
          assert.match(id, /^[\x21-\x7e]{1,128}$/, "the correlation id echoed is always sane");
        },
      ),
      params,
    );
    for (const line of server.logs) assert.equal(typeof line, "object");
    assert.equal(server.logs.filter((l) => l.level === "error").length, 0);
  });

  test("arbitrary Unicode names: refused with INVALID_ARGUMENT, or stored and read back exactly over every protocol", async () => {
    const transports = transportsFor(server.baseUrl);
    const name = fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.string({ unit: "grapheme-composite", maxLength: 20 }), fc.constantFrom("\u0000", "e\u0301", "\u202Eevil", "\uD800", "a\u2028b", "😀".repeat(26)));
    await fc.assert(
      fc.asyncProperty(name, name, async (firstName, lastName) => {
        const grpc = personClient(transports["gRPC (h2c)"]!);
        let created;
        try {
          created = (await grpc.createPerson({ firstName, lastName })).person!;
        } catch (e) {
          assert.equal(ConnectError.from(e).code, Code.InvalidArgument, ConnectError.from(e).message);
          return;
        }
        for (const protocol of ["Connect JSON (HTTP/1.1)", "gRPC-Web (HTTP/1.1)", "Connect binary (HTTP/1.1)", "Connect GET (HTTP/1.1)"]) {
          const got: unknown = (await personClient(transports[protocol]!).getPerson({ id: created.id })).person;
          assert.deepEqual(got, created, protocol);
        }
        const rest = (await (await fetch(`${server.baseUrl}/api/v1/person/${created.id}`)).json()) as { firstName: string; lastName: string };
        assert.equal(rest.firstName, created.firstName);
        assert.equal(rest.lastName, created.lastName);
      }),
      params,
    );
  });
});
