import { test } from "node:test";
import assert from "node:assert/strict";
import { PersonService } from "../../gen/person/v1/person_pb.js";
import { createRpcRoutes } from "../../src/adapters/connect/rpc-router.ts";
import { createRestLane } from "../../src/adapters/rest/rest-lane.ts";
import { restRoutesOf } from "../../src/adapters/rest/rest-routes.ts";

// Which REST requests the fast lane serves itself, and which it leaves to
// Fastify's REST routes. What either answers is compared byte for byte in
// test/e2e/fast-lane-differential.test.ts; this pins down the split.

const rpc = createRpcRoutes({ routes: (router) => router.service(PersonService, {}), readMaxBytes: 4096 });
const lane = createRestLane(restRoutesOf(rpc.handlers), rpc, { maxParamLength: 200 });
const id = "00000000-0000-4000-8000-000000000001";

test("bodyless GET and DELETE calls are taken, with their path and query values in the request", () => {
  const get = lane("GET", `/api/v1/person/${id}`, {});
  assert.equal(get?.route.handler.method.name, "GetPerson");
  assert.equal(get?.label, "rest");
  assert.equal(get?.protocol.name, "connect");
  assert.deepEqual(JSON.parse(String(get?.body)), { id });
  const list = lane("GET", "/api/v1/person?pageSize=2&page_token=a+b", { "x-request-id": "r1", traceparent: "t" });
  assert.equal(list?.route.handler.method.name, "ListPeople");
  assert.deepEqual(JSON.parse(String(list?.body)), { pageSize: "2", pageToken: "a b" });
  assert.equal(list?.header?.get("x-request-id"), "r1");
  assert.equal(list?.header?.get("content-type"), "application/json");
  const del = lane("DELETE", `/api/v1/person/${encodeURIComponent("a/b")}`, { "content-length": "0" });
  assert.equal(del?.route.handler.method.name, "DeletePerson");
  assert.deepEqual(JSON.parse(String(del?.body)), { id: "a/b" });
});

test("a request that cannot be built is taken and answered with INVALID_ARGUMENT, as the REST plugin answers it", () => {
  const bad = lane("GET", "/api/v1/person?pageSize=1&nope=2", {});
  assert.equal(bad?.body, undefined);
  assert.equal(bad?.answer?.status, 400);
  assert.match(Buffer.from(bad!.answer!.body[0]!).toString(), /unknown field \\"nope\\"/);
});

test("bodies, other verbs, unknown or unusual paths are left to Fastify", () => {
  const declined: Array<[string, string, Record<string, string>]> = [
    ["POST", "/api/v1/person", { "content-type": "application/json" }],
    ["PUT", `/api/v1/person/${id}`, {}],
    ["HEAD", `/api/v1/person/${id}`, {}],
    ["OPTIONS", `/api/v1/person/${id}`, {}],
    ["GET", `/api/v1/person/${id}`, { "content-type": "application/json" }],
    ["GET", `/api/v1/person/${id}`, { "transfer-encoding": "chunked" }],
    ["DELETE", `/api/v1/person/${id}`, { "content-length": "2" }],
    ["GET", `/api/v1/person/${id}/`, {}],
    ["GET", `/api/v1//person/${id}`, {}],
    ["GET", `/API/v1/person/${id}`, {}],
    ["GET", `/api/v1/person/${"x".repeat(201)}`, {}],
    ["GET", "/api/v1/person/%E0%A4%A", {}],
    ["GET", "/docs", {}],
  ];
  for (const [method, url, headers] of declined) assert.equal(lane(method, url, headers), undefined, `${method} ${url} ${JSON.stringify(headers)}`);
  assert.notEqual(lane("GET", `/api/v1/person/${"x".repeat(200)}`, {}), undefined);
});

test("a REST answer carries the response field's JSON and the REST headers", async () => {
  const get = lane("GET", `/api/v1/person/${id}`, {})!;
  const serialize = get.serialization.getO(false).serialize;
  const { create } = await import("@bufbuild/protobuf");
  const { GetPersonResponseSchema } = await import("../../gen/person/v1/person_pb.js");
  const body = serialize(create(GetPersonResponseSchema, { person: { id, firstName: "Ada", lastName: "L" } }));
  assert.equal(Buffer.from(body).toString(), JSON.stringify({ id, firstName: "Ada", lastName: "L" }));
  assert.equal(Buffer.from(serialize(create(GetPersonResponseSchema, {}))).toString(), "{}");
  const shaped = get.reshape!({ status: 200, header: new Headers({ "retry-after": "3", "x-other": "1" }), trailer: undefined, body: [body], bodyComplete: true });
  assert.deepEqual([...shaped.header], [["content-length", String(body.byteLength)], ["content-type", "application/json; charset=utf-8"], ["retry-after", "3"]]);
});
