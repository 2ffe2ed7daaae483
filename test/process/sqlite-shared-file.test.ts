import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";

const opener = fileURLToPath(new URL("../support/open-sqlite-store.ts", import.meta.url));

test("processes opening one new store file at the same moment all start, and the schema is applied once", async () => {
  for (let round = 0; round < 6; round++) {
    const path = join(mkdtempSync(join(tmpdir(), "personsvc-shared-")), "people.db");
    const at = String(Date.now() + 600);
    const children = Array.from({ length: 4 }, () => spawn(process.execPath, [opener, path, at], { stdio: ["ignore", "ignore", "pipe"] }));
    const results = await Promise.all(
      children.map(async (child) => {
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        const [code] = await once(child, "exit");
        return { code, stderr };
      }),
    );
    for (const r of results) assert.equal(r.code, 0, `round ${round}: ${r.stderr}`);
    const db = new DatabaseSync(path);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((t) => t.name);
    assert.deepEqual(tables, ["create_request", "person"]);
    assert.equal((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode, "wal");
    db.close();
  }
});
