import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { createDeadlineTimers } from "../../src/adapters/connect/fast-lane/deadline-timers.ts";

test("deadlines of one duration fire in the order they started, once each, never early; cancelled ones never fire", async () => {
  const timers = createDeadlineTimers();
  // When each fired, and when each started: a loaded machine may run the
  // sleeps below late, so "not early" is read from the clocks, not from
  // what has fired by some sleep's end.
  const fired: Array<{ name: string; at: number }> = [];
  const startedAt = new Map<string, number>();
  const start = (name: string) => {
    startedAt.set(name, performance.now());
    return timers.start(40, () => fired.push({ name, at: performance.now() }));
  };
  const a = start("a");
  const b = start("b");
  await sleep(5);
  start("c");
  timers.cancel(a); // the head: the timer armed for it must still reach b and c
  await sleep(100);
  assert.deepEqual(fired.map((f) => f.name), ["b", "c"]);
  for (const f of fired) assert.ok(f.at - startedAt.get(f.name)! >= 40, `${f.name} fired ${(f.at - startedAt.get(f.name)!).toFixed(1)} ms after it started`);
  timers.cancel(b); // fired already: nothing happens
  timers.cancel(a); // cancelled twice
  await sleep(50);
  assert.deepEqual(fired.map((f) => f.name), ["b", "c"]);
});

test("a shorter deadline started later fires first; each duration keeps its own timer", async () => {
  const timers = createDeadlineTimers();
  const fired: Array<{ name: string; after: number }> = [];
  const start = (name: string, ms: number) => {
    const startedAt = performance.now();
    timers.start(ms, () => fired.push({ name, after: performance.now() - startedAt }));
  };
  start("long", 80);
  start("short", 15);
  await sleep(150);
  assert.deepEqual(fired.map((f) => f.name), ["short", "long"]);
  assert.ok(fired[0]!.after >= 15 && fired[1]!.after >= 80, JSON.stringify(fired));
});

test("an expiry may start a deadline of its own duration; a throwing one does not stop the others", async () => {
  const errors: unknown[] = [];
  const timers = createDeadlineTimers((e) => errors.push(e));
  const fired: string[] = [];
  timers.start(10, () => {
    fired.push("first");
    timers.start(10, () => fired.push("restarted"));
    throw new Error("listener failed");
  });
  timers.start(10, () => fired.push("second"));
  // Until all three fired (a loaded machine runs timers late, never early), then a little more for a fourth.
  for (const started = performance.now(); fired.length < 3 && performance.now() - started < 2000; ) await sleep(5);
  await sleep(30);
  assert.deepEqual(fired, ["first", "second", "restarted"]);
  assert.equal((errors[0] as Error).message, "listener failed");
  assert.equal(errors.length, 1);
});

test("pending deadlines do not keep the process alive", () => {
  const url = new URL("../../src/adapters/connect/fast-lane/deadline-timers.ts", import.meta.url).href;
  const code = `import { createDeadlineTimers } from ${JSON.stringify(url)}; createDeadlineTimers().start(60000, () => process.exit(3));`;
  const started = Date.now();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  assert.ok(Date.now() - started < 30_000);
});
