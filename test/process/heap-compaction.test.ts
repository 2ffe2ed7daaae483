import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
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

test("the running service applies HEAP_GROWING_PERCENT: V8 sizes the old generation with that factor after every full collection once it listens", async () => {
  // V8 prints its sizing decisions with --trace-gc-verbose, to stdout
  // (buffered: read after exit). The compaction after start-up makes sure
  // full collections happen after the flag is set.
  const service = await spawnService({ SQLITE_PATH: ":memory:", HEAP_GROWING_PERCENT: "50" }, undefined, ["--trace-gc-verbose"]);
  for (let i = 0; i < 100 && !service.logs.some((l) => l.msg === "heap compacted after start-up"); i++) await sleep(100);
  service.child.kill("SIGTERM");
  assert.equal(await service.exited, 0);
  const factors = service.logs.flatMap((l) => /\[HeapController\] factor (\d+\.\d)/.exec(String(l.raw ?? ""))?.[1] ?? []);
  assert.ok(factors.length >= 2, `full collections traced: ${factors.join(", ")}`);
  // The first full collection may come before the service listens (V8's own factor then).
  assert.deepEqual(factors.slice(-2), ["1.5", "1.5"], `factors, in order: ${factors.join(", ")}`);
});

test("the running service lowers V8's worker threads to V8_WORKER_NICE (off by default) and leaves its main thread at 0 (Linux)", { skip: process.platform !== "linux" }, async () => {
  const niceOf = (pid: number, tid: string) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ")[16]);
  for (const [setting, expected] of [[undefined, 0], ["7", 7], ["19", 19]] as const) {
    const service = await spawnService({ SQLITE_PATH: ":memory:", ...(setting ? { V8_WORKER_NICE: setting } : {}) });
    try {
      const pid = service.child.pid!;
      const threads = readdirSync(`/proc/${pid}/task`).map((tid) => ({ tid, name: readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim() }));
      const workers = threads.filter((t) => t.name === "V8Worker");
      assert.ok(workers.length >= 1, `V8 workers among ${threads.map((t) => t.name).join(", ")}`);
      assert.deepEqual(workers.map((t) => niceOf(pid, t.tid)), workers.map(() => expected), `V8_WORKER_NICE=${setting}`);
      assert.equal(niceOf(pid, String(pid)), 0, "the main thread keeps its priority");
      const listening = service.logs.find((l) => l.msg === "listening")!;
      assert.equal(listening.v8WorkersNice, expected === 0 ? "unchanged" : expected);
    } finally {
      service.child.kill("SIGTERM");
      await service.exited;
    }
  }
});
