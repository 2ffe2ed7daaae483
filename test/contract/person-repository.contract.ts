import { describe, test as nodeTest, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { NewPerson, PersonRepository } from "../../src/application/ports/person-repository.port.ts";

/** 2026-01-02T03:04:05.1234567Z: 100 ns precision, what datetime2(7) keeps. */
const t0 = 1_767_323_045_123_456_700n;

function newPerson(overrides: Partial<NewPerson> = {}): NewPerson {
  return { id: randomUUID(), firstName: "Ada", middleName: null, lastName: "Lovelace", suffix: null, createTime: t0, ...overrides };
}

/**
 * The behaviour every PersonRepository adapter must have. `open` gives a
 * fresh, empty store; `skip` names why the suite cannot run here.
 */
export function describeRepositoryContract(name: string, open: () => Promise<PersonRepository>, skip?: string): void {
  describe(`PersonRepository contract: ${name}`, () => {
    // Each case is reported as skipped, with the reason, when the store is not here.
    const test = (title: string, fn: () => Promise<void>) => nodeTest(title, { skip }, fn);
    let repo: PersonRepository;
    before(async () => {
      if (!skip) repo = await open();
    });
    after(() => repo?.close());
    const opts = {};

    test("create then get returns exactly what was stored, times to 100 ns", async () => {
      const p = newPerson({ middleName: "", suffix: "III" });
      const outcome = await repo.create(p, undefined, opts);
      assert.equal(outcome.kind, "created");
      const got = await repo.get(p.id, opts);
      assert.deepEqual(got, outcome.kind === "created" ? outcome.person : undefined);
      assert.equal(got?.createTime, t0);
      assert.equal(got?.updateTime, null);
      assert.equal(got?.middleName, "", "empty string stays empty");
      assert.equal(got?.suffix, "III");
      assert.equal((await repo.get(randomUUID(), opts)), undefined);
    });

    test("NULL and empty string stay distinct", async () => {
      const a = newPerson({ middleName: null, suffix: "" });
      await repo.create(a, undefined, opts);
      const got = await repo.get(a.id, opts);
      assert.equal(got?.middleName, null);
      assert.equal(got?.suffix, "");
    });

    test("Unicode names survive byte for byte", async () => {
      for (const lastName of ["Łukasiewicz", "王", "محمد", "😀👩‍👩‍👧", "e\u0301\u0301", "\u202Eevil", "Zoë"]) {
        const p = newPerson({ lastName, firstName: lastName });
        await repo.create(p, undefined, opts);
        const got = await repo.get(p.id, opts);
        assert.equal(got?.lastName, lastName);
        assert.equal(got?.firstName, lastName);
      }
    });

    test("update replaces the names, sets update_time, changes the etag; a stale etag changes nothing", async () => {
      const p = newPerson();
      const created = await repo.create(p, undefined, opts);
      assert.equal(created.kind, "created");
      const etag1 = created.kind === "created" ? created.person.etag : "";
      const names = { firstName: "Augusta", middleName: "Ada", lastName: "King", suffix: null };
      const updated = await repo.update(p.id, names, t0 + 100n, etag1, opts);
      assert.equal(updated.kind, "done");
      const v2 = updated.kind === "done" ? updated.value : undefined;
      assert.equal(v2?.firstName, "Augusta");
      assert.equal(v2?.updateTime, t0 + 100n);
      assert.notEqual(v2?.etag, etag1);
      assert.equal((await repo.update(p.id, { ...names, firstName: "X" }, t0, etag1, opts)).kind, "etag-mismatch");
      assert.equal((await repo.update(p.id, names, t0, "not-an-etag", opts)).kind, "etag-mismatch");
      assert.equal((await repo.delete(p.id, etag1, opts)).kind, "etag-mismatch");
      assert.deepEqual(await repo.get(p.id, opts), v2);
      assert.equal((await repo.update(randomUUID(), names, t0, undefined, opts)).kind, "not-found");
      assert.equal((await repo.delete(p.id, v2?.etag, opts)).kind, "done");
      assert.equal((await repo.delete(p.id, undefined, opts)).kind, "not-found");
    });

    test("create is idempotent per request key", async () => {
      const key = { requestId: randomUUID(), fingerprint: "f1", notBefore: t0 - 3_600_000_000_000n };
      const first = await repo.create(newPerson(), key, opts);
      assert.equal(first.kind, "created");
      const again = await repo.create(newPerson(), key, opts);
      assert.equal(again.kind, "replayed");
      assert.equal(again.kind === "replayed" && first.kind === "created" && again.person.id, first.kind === "created" && first.person.id);
      assert.equal((await repo.create(newPerson(), { ...key, fingerprint: "f2" }, opts)).kind, "key-reused");
      if (first.kind === "created") await repo.delete(first.person.id, undefined, opts);
      assert.equal((await repo.create(newPerson(), key, opts)).kind, "replayed-gone");
    });

    test("a request key older than the retention window is forgotten, and its id can be used again", async () => {
      const hour = 3_600_000_000_000n;
      const key = { requestId: randomUUID(), fingerprint: "f1", notBefore: t0 - hour };
      const first = await repo.create(newPerson(), key, opts);
      assert.equal(first.kind, "created");
      // A day later the same key no longer replays.
      const later = newPerson({ createTime: t0 + 25n * hour });
      const again = await repo.create(later, { ...key, notBefore: t0 + hour }, opts);
      assert.equal(again.kind, "created");
      assert.equal(again.kind === "created" && again.person.id, later.id);
      // ... and is remembered anew.
      const retry = await repo.create(newPerson({ createTime: t0 + 25n * hour }), { ...key, notBefore: t0 + hour }, opts);
      assert.equal(retry.kind, "replayed");
    });

    test("list pages by (last name, first name, id) with a keyset cursor, stable under inserts", async () => {
      const family = `Keyset${randomUUID().slice(0, 8)}`;
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        const p = newPerson({ lastName: `${family}${String(i % 10).padStart(2, "0")}`, firstName: "F" });
        ids.push(p.id);
        await repo.create(p, undefined, opts);
      }
      const seen: string[] = [];
      const nil = "00000000-0000-0000-0000-000000000000";
      let after = { lastName: family, firstName: "", id: nil };
      for (;;) {
        const page = (await repo.list({ limit: 7, after }, opts)).filter((p) => p.lastName.startsWith(family));
        if (page.length === 0) break;
        seen.push(...page.map((p) => p.id));
        const last = page.at(-1)!;
        after = { lastName: last.lastName, firstName: last.firstName, id: last.id };
        await repo.create(newPerson({ lastName: `${family}00`, firstName: "A" }), undefined, opts); // behind the cursor
      }
      assert.deepEqual([...seen].sort(), [...ids].sort());
      const start = { lastName: family, firstName: "", id: nil };
      const rows = (await repo.list({ limit: 1000, after: start }, opts)).filter((p) => p.lastName.startsWith(family));
      // Names are ASCII of one case here, so every store's collation agrees;
      // ties on names are ordered by id in the store's own id order.
      const keys = rows.map((p) => `${p.lastName}|${p.firstName}`);
      assert.deepEqual(keys, [...keys].sort(), "ordered by last name, then first name");
    });

    test("an aborted signal stops the call with the signal's reason", async () => {
      const reason = new Error("caller gave up");
      const signal = AbortSignal.abort(reason);
      await assert.rejects(repo.get(randomUUID(), { signal }), (e) => e === reason);
      await assert.rejects(repo.create(newPerson(), undefined, { signal }), (e) => e === reason);
    });

    test("ping answers", async () => {
      await repo.ping(opts);
    });
  });
}
