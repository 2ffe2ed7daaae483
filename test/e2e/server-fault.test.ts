import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Code } from "@connectrpc/connect";
import { createSqlitePersonRepository } from "../../src/adapters/sqlite/sqlite-person-repository.ts";
import { startTestServer } from "../support/test-server.ts";
import { personClient, transportsFor } from "../support/clients.ts";
import { expectCode } from "../support/expect.ts";

const uuid = "8f0e6f43-4a4e-4b6e-9a4e-3f1f2b0f9a11";
const bug = "Cannot read properties of undefined (reading 'first_name')";

for (const lane of ["fast lane", "stock path"]) {
  test(`a bug below the edge (${lane}): clients get a bare INTERNAL; the log, one error line per call with the cause's type and message, no stack`, async () => {
    const broken = {
      ...createSqlitePersonRepository({ path: ":memory:" }),
      get: async () => {
        throw new TypeError(bug);
      },
    };
    const server = await startTestServer(lane === "fast lane" ? {} : { FAST_LANE: "off" }, broken);
    try {
      for (const protocol of ["gRPC (h2c)", "Connect JSON (HTTP/1.1)", "gRPC-Web (HTTP/1.1)"]) {
        const err = await expectCode(personClient(transportsFor(server.baseUrl)[protocol]!).getPerson({ id: uuid }), Code.Internal, protocol);
        assert.equal(err.rawMessage, "internal error", protocol);
      }
      const rest = await fetch(`${server.baseUrl}/api/v1/person/${uuid}`);
      assert.equal(rest.status, 500);
      assert.doesNotMatch(await rest.text(), /TypeError|first_name/);
      let failed: Array<Record<string, unknown>> = [];
      for (let waited = 0; waited < 2000 && failed.length < 4; waited += 20) {
        await sleep(20);
        failed = server.logs.filter((l) => l.msg === "rpc failed");
      }
      assert.deepEqual(failed.map((l) => l.protocol).sort(), ["connect", "grpc", "grpc-web", "rest"]);
      for (const line of failed) {
        assert.deepEqual([line.level, line.code, line.procedure], ["error", "internal", "person.v1.PersonService/GetPerson"]);
        assert.deepEqual(line.err, { type: "TypeError", message: bug });
      }
      assert.ok(!JSON.stringify(server.logs).includes("    at "), "no stack trace in any line");
    } finally {
      await server.close();
    }
  });
}
