import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { AppError } from "../../src/domain/app-error.ts";
import type { PersonRepository } from "../../src/application/ports/person-repository.port.ts";
import { createFakePersonDb, personColumns } from "../support/tds/fake-person-db.ts";
import { startTdsResponder, type RpcHandler, type TdsResponder } from "../support/tds/tds-responder.ts";
import { mssqlRepositoryOn } from "../support/mssql-test-store.ts";

let responder: TdsResponder;
let repo: PersonRepository;
let db: ReturnType<typeof createFakePersonDb>;
before(async () => {
  db = createFakePersonDb();
  responder = await startTdsResponder(db);
  repo = mssqlRepositoryOn(responder.port, { statementTimeoutMs: 500 });
});
after(async () => {
  await repo.close();
  await responder.stop();
});
beforeEach(() => {
  responder.handler = db;
  responder.calls.length = 0;
  responder.attentions = 0;
});

const vectorId = "01020304-0506-0708-090a-0b0c0d0e0f10";
/** 2026-01-02T03:04:05.1234567Z */
const t = 1_767_323_045_123_456_700n;
const person = { id: vectorId, firstName: "Ada", middleName: "", lastName: "Lovelace", suffix: null, createTime: t };

/** Fails the first `n` calls with `reply`, then hands over to the fake database. */
function failFirst(n: number, reply: Parameters<RpcHandler>[0] extends never ? never : ReturnType<RpcHandler>): RpcHandler {
  let left = n;
  return (call, conn) => (left-- > 0 ? reply : db(call, conn));
}

describe("what the adapter puts on the wire", () => {
  test("ids are UNIQUEIDENTIFIER in mixed-endian byte order (fixed vector)", async () => {
    await repo.get(vectorId, {});
    const id = responder.calls[0]!.params.get("id")!;
    assert.equal(id.typeName, "uniqueidentifier");
    assert.equal(id.maxLength, 16);
    assert.equal(id.bytes!.toString("hex"), "04030201" + "0605" + "0807" + "090a" + "0b0c0d0e0f10");
  });

  test("times are DATETIME2 at scale 7, 100 ns ticks then days since 0001-01-01 (fixed vector)", async () => {
    await repo.create(person, undefined, {});
    const createTime = responder.calls.at(-1)!.params.get("create_time")!;
    assert.equal(createTime.typeName, "datetime2");
    assert.equal(createTime.scale, 7);
    // 03:04:05.1234567 = 110451234567 = 0x19b7681707 ticks (5 bytes LE); 2026-01-02 = day 739617 = 0x0b4921 (3 bytes LE).
    assert.equal(createTime.bytes!.toString("hex"), "071768b719" + "21490b");
    assert.equal(createTime.value, t);
  });

  test("names are NVARCHAR with the columns' declared lengths; NULL and '' stay distinct", async () => {
    await repo.create({ ...person, id: randomUUID() }, { requestId: randomUUID(), fingerprint: "fp", notBefore: t - 1000n }, {});
    const params = responder.calls.at(-1)!.params;
    const declared = Object.fromEntries(
      ["first_name", "middle_name", "last_name", "suffix"].map((n) => [n, [params.get(n)!.typeName, params.get(n)!.maxLength]]),
    );
    assert.deepEqual(declared, {
      first_name: ["nvarchar", 100],
      middle_name: ["nvarchar", 100],
      last_name: ["nvarchar", 200],
      suffix: ["nvarchar", 40],
    });
    assert.equal(params.get("middle_name")!.value, "");
    assert.equal(params.get("suffix")!.value, null);
    assert.equal(params.get("request_id")!.typeName, "uniqueidentifier");
    assert.equal(params.get("fingerprint")!.typeName, "varchar");
    assert.equal(params.get("not_before")!.typeName, "datetime2");
  });

  test("the etag condition is VARBINARY(8)", async () => {
    const created = await repo.create({ ...person, id: randomUUID() }, undefined, {});
    assert.equal(created.kind, "created");
    if (created.kind !== "created") return;
    await repo.update(created.person.id, person, t + 100n, created.person.etag, {});
    const etag = responder.calls.at(-1)!.params.get("etag")!;
    assert.equal(etag.typeName, "varbinary");
    assert.equal(etag.maxLength, 8);
    assert.equal(etag.bytes!.toString("hex"), created.person.etag);
  });
});

describe("what the adapter reads back", () => {
  test("uniqueidentifier, datetime2 (100 ns) and NULL columns decode exactly", async () => {
    responder.handler = () => ({
      results: [{ columns: personColumns, rows: [[vectorId, "Zoë", null, "王", "", t + 1200n, null, Buffer.from("00000000000007d1", "hex")]] }],
    });
    assert.deepEqual(await repo.get(vectorId, {}), {
      id: vectorId,
      firstName: "Zoë",
      middleName: null,
      lastName: "王",
      suffix: "",
      createTime: t + 1200n,
      updateTime: null,
      etag: "00000000000007d1",
    });
  });
});

describe("faults", () => {
  test("deadlock victim (1205) is retried and succeeds", async () => {
    responder.handler = failFirst(2, { error: { number: 1205, message: "deadlock victim" } });
    await repo.get(randomUUID(), {});
    assert.equal(responder.calls.length, 3);
  });

  test("a transient error on a write the server rolled back (40613) is retried", async () => {
    const created = await repo.create({ ...person, id: randomUUID() }, undefined, {});
    responder.calls.length = 0;
    responder.handler = failFirst(1, { error: { number: 40613, message: "database unavailable" } });
    const outcome = await repo.update(created.kind === "created" ? created.person.id : "", person, t, undefined, {});
    assert.equal(outcome.kind, "done");
    assert.equal(responder.calls.length, 2);
  });

  test("a unique key violation (2627) becomes ALREADY_EXISTS, not retried", async () => {
    const id = randomUUID();
    await repo.create({ ...person, id }, undefined, {});
    responder.calls.length = 0;
    await assert.rejects(repo.create({ ...person, id }, undefined, {}), (e: AppError) => e.code === "PERSON.ALREADY_EXISTS");
    assert.equal(responder.calls.length, 1);
  });

  test("a non-transient error is not retried and does not leak its text", async () => {
    responder.handler = () => ({ error: { number: 8152, message: "String or binary data would be truncated in table dbo.person" } });
    const err = await repo.get(randomUUID(), {}).catch((e: unknown) => e);
    assert.equal(responder.calls.length, 1);
    assert.ok(!(err instanceof AppError), "a bug, left for the edge to report as INTERNAL");
  });

  test("a connection dropped mid-query is replaced and an idempotent call retried", async () => {
    const logins = responder.logins;
    responder.handler = failFirst(1, { drop: true });
    const id = randomUUID();
    await repo.create({ ...person, id }, undefined, {});
    assert.ok(responder.logins > logins, "a new connection logged in");
    assert.equal((await repo.get(id, {}))?.id, id);
  });

  test("a create whose first attempt committed before the drop is not duplicated", async () => {
    const id = randomUUID();
    let first = true;
    responder.handler = (call, conn) => {
      const reply = db(call, conn);
      if (call.tag === "create-person" && first) {
        first = false;
        return { drop: true }; // committed, but the answer is lost
      }
      return reply;
    };
    const outcome = await repo.create({ ...person, id }, undefined, {});
    assert.equal(outcome.kind, "created");
    assert.equal([...db.rows.values()].filter((r) => r.id === id).length, 1);
  });

  test("a dropped connection during a conditional write fails cleanly (UNAVAILABLE) without a retry", async () => {
    const created = await repo.create({ ...person, id: randomUUID() }, undefined, {});
    responder.calls.length = 0;
    responder.handler = () => ({ drop: true });
    const id = created.kind === "created" ? created.person.id : "";
    await assert.rejects(repo.delete(id, undefined, {}), (e: AppError) => e.code === "STORE.UNAVAILABLE");
    assert.equal(responder.calls.length, 1);
  });

  test("a cancelled call sends a TDS attention, rejects with the caller's reason, and the connection is reused", async () => {
    const single = mssqlRepositoryOn(responder.port, { poolMax: 1 });
    await single.ping({});
    const used: number[] = [];
    responder.handler = (_call, conn) => {
      used.push(conn);
      return { hang: true };
    };
    const controller = new AbortController();
    const reason = new Error("deadline");
    setTimeout(() => controller.abort(reason), 50);
    const started = Date.now();
    await assert.rejects(single.get(randomUUID(), { signal: controller.signal }), (e) => e === reason);
    assert.ok(Date.now() - started < 1000, "the cancel is acknowledged promptly");
    assert.equal(responder.attentions, 1);
    responder.handler = (call, conn) => {
      used.push(conn);
      return db(call, conn);
    };
    await single.ping({});
    assert.equal(used[0], used[1], "the cancelled connection is reused, not replaced");
    await single.close();
  });

  test("a stuck database gives STORE.TIMEOUT after the statement timeout, with an attention, never retried", async () => {
    responder.handler = () => ({ hang: true });
    const started = Date.now();
    await assert.rejects(repo.delete(randomUUID(), undefined, {}), (e: AppError) => e.code === "STORE.TIMEOUT");
    assert.ok(Date.now() - started < 2000);
    assert.equal(responder.attentions, 1);
    assert.equal(responder.calls.length, 1);
  });
});
