import { test } from "node:test";
import assert from "node:assert/strict";
import { serializeRpcLineFields, type RpcLineFields } from "../../src/adapters/connect/rpc-log.ts";

const base: RpcLineFields = {
  requestId: "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  procedure: "person.v1.PersonService/GetPerson",
  protocol: "grpc-web",
  encoding: "proto",
  code: "invalid_argument",
  httpStatus: 200,
  durationMs: 0.123456,
  lane: "fast",
};

test("the RPC line's fields serialize exactly as JSON.stringify writes them", () => {
  const cases: RpcLineFields[] = [
    base,
    { ...base, traceId: undefined },
    { ...base, requestId: 'a"b\\c{}[],:\u2028\u0001é😀', protocol: "connect", encoding: "json", code: "ok", httpStatus: 404, lane: "stock" },
    { ...base, durationMs: 1e-7 },
    { ...base, durationMs: 123456789.5 },
    { ...base, durationMs: 0 },
  ];
  for (const fields of cases) {
    assert.equal(serializeRpcLineFields(fields), JSON.stringify(fields).slice(1, -1));
    assert.deepEqual(JSON.parse(`{${serializeRpcLineFields(fields)}}`), JSON.parse(JSON.stringify(fields)));
  }
});
