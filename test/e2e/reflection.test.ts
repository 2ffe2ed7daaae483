import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ServerReflection as ReflectionAlpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const buf = fileURLToPath(new URL("../../node_modules/.bin/buf", import.meta.url));
const run = promisify(execFile);
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const bufCurl = async (...args: string[]) =>
  (await run(buf, ["curl", "--reflect", "--protocol", "grpc", "--http2-prior-knowledge", ...args], { timeout: 20_000 })).stdout;

test("buf curl --reflect lists the services and calls GetPerson with no schema", async () => {
  const services = (await bufCurl("--list-services", server.baseUrl)).split("\n").filter(Boolean);
  assert.deepEqual(services.sort(), [
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
    "person.v1.PersonService",
  ]);
  const created = (await (await fetch(`${server.baseUrl}/api/v1/person`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ firstName: "Re", lastName: "Flection" }),
  })).json()) as { id: string };
  const got = JSON.parse(await bufCurl("-d", JSON.stringify({ id: created.id }), `${server.baseUrl}/person.v1.PersonService/GetPerson`));
  assert.equal(got.person.lastName, "Flection");
});

test("v1alpha answers too: services, and the file defining a symbol with its imports", async () => {
  const client = createClient(ReflectionAlpha, createGrpcTransport({ baseUrl: server.baseUrl }));
  async function* requests() {
    yield { messageRequest: { case: "listServices" as const, value: "" } };
    yield { messageRequest: { case: "fileContainingSymbol" as const, value: "person.v1.PersonService.GetPerson" } };
    yield { messageRequest: { case: "fileContainingSymbol" as const, value: "no.such.Symbol" } };
  }
  const answers = [];
  for await (const res of client.serverReflectionInfo(requests())) answers.push(res.messageResponse);
  assert.equal(answers[0]!.case, "listServicesResponse");
  assert.equal(answers[1]!.case, "fileDescriptorResponse");
  const names = (answers[1]!.value as { fileDescriptorProto: Uint8Array[] }).fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);
  assert.equal(names.at(-1), "person/v1/person.proto");
  assert.ok(names.includes("google/api/annotations.proto") && names.includes("google/protobuf/timestamp.proto"));
  assert.equal(answers[2]!.case, "errorResponse");
});
