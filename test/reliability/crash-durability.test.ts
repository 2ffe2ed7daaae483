import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnService } from "../support/spawn-service.ts";
import { personClient, transportsFor } from "../support/clients.ts";

const kills = Number(process.env.CRASH_KILLS ?? 4);

test(`SIGKILL mid-load, ${kills} times at random moments: every acknowledged create survives intact, nothing half-written`, async () => {
  const db = join(mkdtempSync(join(tmpdir(), "personsvc-crash-")), "people.db");
  const acknowledged = new Map<string, { firstName: string; lastName: string }>();
  for (let round = 0; round < kills; round++) {
    const service = await spawnService({ SQLITE_PATH: db });
    const client = personClient(transportsFor(service.baseUrl)["gRPC (h2c)"]!);
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const names = { firstName: `R${round}W${w}`, lastName: `N${i}` };
        try {
          const { person } = await client.createPerson(names);
          acknowledged.set(person!.id, names);
        } catch {
          return; // the server died under us: this write was never acknowledged
        }
      }
    });
    await sleep(150 + Math.random() * 400);
    service.child.kill("SIGKILL");
    stop = true;
    await Promise.all(writers);
    assert.equal(await service.exited, "SIGKILL");
  }
  assert.ok(acknowledged.size > 50, `only ${acknowledged.size} writes acknowledged`);

  const after = await spawnService({ SQLITE_PATH: db });
  try {
    const client = personClient(transportsFor(after.baseUrl)["gRPC (h2c)"]!);
    const stored = new Map<string, { firstName: string; lastName: string; etag: string }>();
    let pageToken = "";
    do {
      const page = await client.listPeople({ pageSize: 100, pageToken });
      for (const p of page.people) stored.set(p.id, p);
      pageToken = page.nextPageToken;
    } while (pageToken);
    for (const [id, names] of acknowledged) {
      const row = stored.get(id);
      assert.ok(row, `acknowledged person ${id} lost`);
      assert.equal(row.firstName, names.firstName);
      assert.equal(row.lastName, names.lastName);
    }
    for (const row of stored.values()) {
      assert.match(row.firstName, /^R\dW\d$/, "no half-written row");
      assert.equal(row.etag, "1");
    }
    console.log(`# crash durability: ${kills} kills, ${acknowledged.size} acknowledged writes, 0 lost, ${stored.size - acknowledged.size} committed but unacknowledged`);
  } finally {
    after.child.kill("SIGTERM");
    await after.exited;
  }
});
