import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import SwaggerParser from "@apidevtools/swagger-parser";
import openapiTS, { astToString } from "openapi-typescript";
import { startTestServer, type TestServer } from "../support/test-server.ts";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const fetchDoc = async () => (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as Record<string, any>;

test("the served OpenAPI document is valid OpenAPI 3.1", async () => {
  const doc = await fetchDoc();
  assert.equal(doc.openapi, "3.1.0");
  await SwaggerParser.validate(structuredClone(doc) as never);
  for (const path of ["/openapi.json", "/docs/", "/openapi.yaml"]) {
    const res = await fetch(server.baseUrl + path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(res.headers.get("x-frame-options"), "DENY", path);
  }
  assert.match((await fetch(`${server.baseUrl}/docs/`)).headers.get("content-security-policy") ?? "", /default-src/);
  const yaml = await (await fetch(`${server.baseUrl}/openapi.yaml`)).text();
  assert.match(yaml, /^openapi: 3\.1\.0/m);
});

test("it documents every REST route and Connect endpoint, with comments and domain constraints", async () => {
  const doc = await fetchDoc();
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops as object).map(([verb, op]) => `${verb.toUpperCase()} ${path} ${(op as { operationId: string }).operationId}`));
  for (const expected of [
    "GET /api/v1/person/{id} PersonService_GetPerson",
    "GET /api/v1/person PersonService_ListPeople",
    "POST /api/v1/person PersonService_CreatePerson",
    "PUT /api/v1/person/{id} PersonService_UpdatePerson",
    "DELETE /api/v1/person/{id} PersonService_DeletePerson",
    "POST /person.v1.PersonService/GetPerson PersonService_GetPerson_Connect",
    "POST /person.v1.PersonService/DeletePerson PersonService_DeletePerson_Connect",
  ]) assert.ok(operations.includes(expected), `${expected} in ${operations.join(", ")}`);
  const create = doc.components.schemas["person.v1.CreatePersonRequest"];
  assert.deepEqual(create.required, ["firstName", "lastName"]);
  assert.equal(create.properties.firstName.maxLength, 50);
  assert.equal(create.properties.firstName.minLength, 1);
  assert.equal(create.properties.lastName.maxLength, 100);
  assert.equal(create.properties.suffix.maxLength, 20);
  assert.match(create.properties.firstName.description, /Given name/);
  const person = doc.components.schemas["person.v1.Person"];
  assert.deepEqual(person.properties.createTime, { type: "string", format: "date-time", description: "When the person was created, in UTC.", readOnly: true });
  assert.equal(doc.paths["/api/v1/person/{id}"].get.parameters[0].schema.format, "uuid");
  const list = doc.paths["/api/v1/person"].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
  assert.deepEqual(list, ["query:pageSize", "query:pageToken"]);
  assert.ok(doc.paths["/api/v1/person/{id}"].get.responses.default.content["application/json"].schema.$ref.endsWith("connect.error"));
});

test("a client generated from the served document (openapi-typescript + openapi-fetch) type-checks and runs the CRUD scenario", async () => {
  const dir = fileURLToPath(new URL("../.generated/openapi-client/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}openapi.d.ts`, astToString(await openapiTS((await fetchDoc()) as never)));
  copyFileSync(fileURLToPath(new URL("../fixtures/openapi-crud.client.ts", import.meta.url)), `${dir}client.ts`);
  const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
  execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--target", "es2024", "--allowImportingTsExtensions", "--skipLibCheck", `${dir}client.ts`], { stdio: "pipe" });
  const { crudScenario } = (await import(`${dir}client.ts`)) as { crudScenario: (url: string) => Promise<string[]> };
  assert.deepEqual(await crudScenario(server.baseUrl), [
    "created Open",
    "got Api",
    "listed true",
    "updated Opened",
    "deleted 200",
    "missing 404 not_found",
  ]);
});

test("the documentation app is built on the first documentation request, once, and a failed build is tried again", async () => {
  const { default: Fastify } = await import("fastify");
  const { registerLazyDocs } = await import("../../src/adapters/rest/lazy-docs.ts");
  const { createLogger } = await import("../../src/adapters/http/logger.ts");
  const { createDescriptorRegistry } = await import("../../src/adapters/reflection/descriptor-registry.ts");
  const { personRequestConstraints } = await import("../../src/adapters/rest/request-constraints.ts");
  const { PersonService } = await import("../../gen/person/v1/person_pb.js");
  const registry = createDescriptorRegistry();
  let builds = 0;
  const app = Fastify();
  registerLazyDocs(app as never, {
    logger: createLogger("silent"),
    docs: () => {
      if (++builds === 1) throw new Error("descriptor set unreadable");
      return { title: "t", version: "1", services: [registry().getService(PersonService.typeName)!], constraints: personRequestConstraints };
    },
  });
  try {
    assert.equal(builds, 0, "nothing is built at start-up");
    assert.equal((await app.inject({ url: "/openapi.json" })).statusCode, 500);
    const doc = await app.inject({ url: "/openapi.json" });
    assert.equal(doc.statusCode, 200);
    assert.equal(doc.json().openapi, "3.1.0");
    assert.equal((await app.inject({ url: "/docs/" })).statusCode, 200);
    assert.equal(builds, 2, "built again after the failure, then kept");
  } finally {
    await app.close();
  }
});
