import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { createDeadlineTimers } from "../../src/adapters/connect/fast-lane/deadline-timers.ts";

test("deadlines of one duration fire in the order they started, once each; cancelled ones never fire", async () => {
  const timers = createDeadlineTimers();
  const fired: string[] = [];
  const started = performance.now();
  const a = timers.start(40, () => fired.push("a"));
  const b = timers.start(40, () => fired.push("b"));
  await sleep(5);
  timers.start(40, () => fired.push("c"));
  timers.cancel(a); // the head: the timer armed for it must still reach b and c
  await sleep(20);
  assert.deepEqual(fired, [], "nothing fires early");
  await sleep(60);
  assert.deepEqual(fired, ["b", "c"]);
  assert.ok(performance.now() - started >= 40);
  timers.cancel(b); // fired already: nothing happens
  timers.cancel(a); // cancelled twice
  await sleep(50);
  assert.deepEqual(fired, ["b", "c"]);
});

test("a shorter deadline started later fires first; each duration keeps its own timer", async () => {
  const timers = createDeadlineTimers();
  const fired: string[] = [];
  timers.start(80, () => fired.push("long"));
  timers.start(15, () => fired.push("short"));
  await sleep(45);
  assert.deepEqual(fired, ["short"]);
  await sleep(80);
  assert.deepEqual(fired, ["short", "long"]);
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
  await sleep(80);
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
