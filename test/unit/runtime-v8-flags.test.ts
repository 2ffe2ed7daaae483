import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { collectorOnDemand, setAllocationSitePretenuring, setHeapGrowingPercent } from "../../src/adapters/system/runtime-v8-flags.ts";

test("the heap growing factor is set as V8's flag; 0 leaves V8's own", () => {
  const set: string[] = [];
  setHeapGrowingPercent(100, (f) => void set.push(f));
  setHeapGrowingPercent(0, (f) => void set.push(f));
  assert.deepEqual(set, ["--heap-growing-percent=100"]);
});

test("allocation-site pretenuring is set as V8's flag, off or on", () => {
  const set: string[] = [];
  setAllocationSitePretenuring(false, (f) => void set.push(f));
  setAllocationSitePretenuring(true, (f) => void set.push(f));
  assert.deepEqual(set, ["--no-allocation-site-pretenuring", "--allocation-site-pretenuring"]);
});

test("the collector on demand collects without --expose-gc, then restores the flag; globalThis.gc stays undefined", () => {
  assert.equal(vm.runInNewContext("typeof gc"), "undefined", "this test runs without --expose-gc");
  const set: string[] = [];
  const gc = collectorOnDemand((flags) => {
    set.push(flags);
    v8.setFlagsFromString(flags);
  });
  let garbage: object[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i }));
  const before = process.memoryUsage().heapUsed;
  garbage = undefined;
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
  assert.equal(garbage, undefined);
  assert.ok(process.memoryUsage().heapUsed < before - 4_000_000, "the garbage was collected");
  assert.deepEqual(set, ["--expose-gc", "--no-expose-gc"]);
  assert.equal(vm.runInNewContext("typeof gc"), "undefined", "a context made afterwards has no gc: the flag is off again");
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, "undefined");
});
