import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { scheduleIdleHeapCompaction, type ExposedGc, type HeapCompaction } from "../../src/adapters/system/idle-heap-compaction.ts";

/** Resolves once `done()` holds (checked every 5 ms, for up to 2 s): a loaded machine runs the scheduler's 5 ms checks late, never early. */
async function until(done: () => boolean): Promise<void> {
  for (const started = performance.now(); !done() && performance.now() - started < 2000; ) await sleep(5);
}

/** A collector that records its calls, and the utilizations the scheduler will read, in order. */
function fixture(utilizations: number[]) {
  const calls: unknown[] = [];
  const done: HeapCompaction[] = [];
  const gc: ExposedGc = (options) => void calls.push(options);
  const utilization = () => utilizations.shift() ?? 1;
  return { calls, done, gc, utilization, onCompacted: (r: HeapCompaction) => void done.push(r) };
}

test("compacts once, with a last-resort major collection, at the first idle check", async () => {
  const f = fixture([0.9, 0.4, 0.01, 0.0, 0.0]);
  scheduleIdleHeapCompaction({ ...f, checkEveryMs: 5 });
  await until(() => f.done.length > 0);
  await sleep(30); // and no second one
  assert.deepEqual(f.calls, [{ type: "major", execution: "sync", flavor: "last-resort" }]);
  assert.equal(f.done.length, 1);
  assert.ok(f.done[0]!.rssBeforeMb > 0 && f.done[0]!.rssAfterMb > 0 && f.done[0]!.newSpaceAfterMb >= 0);
});

test("never idle within the window: no compaction; cancelled or without a collector: none either", async () => {
  const busy = fixture([]);
  scheduleIdleHeapCompaction({ ...busy, checkEveryMs: 5, withinMs: 30 });
  const cancelled = fixture([0]);
  scheduleIdleHeapCompaction({ ...cancelled, checkEveryMs: 20 })();
  const without = fixture([0]);
  scheduleIdleHeapCompaction({ ...without, gc: undefined, checkEveryMs: 5 });
  await sleep(80);
  assert.equal(busy.calls.length + cancelled.calls.length + without.calls.length, 0);
});

test("RPCs served during an interval make it busy, however quiet the event loop", async () => {
  const f = fixture([0, 0, 0, 0, 0, 0]);
  let reads = 0;
  const activity = () => Math.min(++reads, 3); // RPCs counted 1, 2, 3, then no more
  let readsAtCompaction = 0;
  const gc: typeof f.gc = (options) => {
    readsAtCompaction = reads;
    f.gc(options);
  };
  scheduleIdleHeapCompaction({ ...f, gc, activity, checkEveryMs: 5 });
  await until(() => f.calls.length > 0);
  await sleep(30); // and no second one
  assert.equal(f.calls.length, 1);
  assert.equal(readsAtCompaction, 4, "the start, two checks that saw RPCs, then the first quiet one");
});
