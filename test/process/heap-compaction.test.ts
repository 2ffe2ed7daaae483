import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnService } from "../support/spawn-service.ts";

test("the real process, started with npm start's flags, compacts its heap once when first idle", async () => {
  const service = await spawnService({ SQLITE_PATH: ":memory:" });
  try {
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      await sleep(100);
      line = service.logs.find((l) => l.msg === "heap compacted after start-up");
    }
    assert.ok(line, "logged within 10 s");
    assert.ok((line.newSpaceAfterMb as number) <= (line.newSpaceBeforeMb as number), "the young generation did not grow");
    assert.ok((line.rssAfterMb as number) < (line.rssBeforeMb as number), "memory was given back");
    assert.equal((await fetch(`${service.baseUrl}/readyz`)).status, 200, "still serving");
    assert.equal(service.logs.filter((l) => l.msg === "heap compacted after start-up").length, 1);
  } finally {
    service.child.kill("SIGTERM");
    await service.exited;
  }
});
