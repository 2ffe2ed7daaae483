import { test } from "node:test";
import assert from "node:assert/strict";
import { lowerBackgroundThreadPriority, type ThreadIo } from "../../src/adapters/system/background-thread-priority.ts";

/** A process's threads as a table of names, recording the niceness each is given. */
function fakeThreads(names: Record<string, string>, refuse: string[] = []) {
  const set = new Map<number, number>();
  const io: ThreadIo = {
    threads: () => Object.keys(names),
    name: (tid) => {
      if (!(tid in names)) throw new Error("ENOENT");
      return names[tid]!;
    },
    setNice: (tid, nice) => {
      if (refuse.includes(String(tid))) throw new Error("EACCES");
      set.set(tid, nice);
    },
  };
  return { io, set };
}

test("only V8's worker threads get the niceness; the main thread and libuv's workers keep theirs", () => {
  const { io, set } = fakeThreads({ "100": "MainThread", "101": "DelayedTaskSche", "102": "V8Worker", "103": "V8Worker", "104": "libuv-worker" });
  assert.deepEqual(lowerBackgroundThreadPriority(19, io), { v8WorkersNice: 19, threads: 2 });
  assert.deepEqual([...set], [[102, 19], [103, 19]]);
});

test("0 changes nothing; a thread that ended or refused does not stop the others; no thread list or no worker is reported", () => {
  const { io, set } = fakeThreads({ "1": "V8Worker", "2": "V8Worker", "3": "V8Worker" }, ["2"]);
  assert.deepEqual(lowerBackgroundThreadPriority(0, io), { v8WorkersNice: "unchanged", reason: "off" });
  assert.equal(set.size, 0);
  assert.deepEqual(lowerBackgroundThreadPriority(10, { ...io, threads: () => [...io.threads(), "4"] }), { v8WorkersNice: 10, threads: 2 });
  const unlisted: ThreadIo = { ...io, threads: () => { throw new Error("ENOENT /proc"); } };
  assert.deepEqual(lowerBackgroundThreadPriority(19, unlisted), { v8WorkersNice: "unchanged", reason: "threads not listed on this platform" });
  assert.deepEqual(lowerBackgroundThreadPriority(19, fakeThreads({ "1": "MainThread" }).io), { v8WorkersNice: "unchanged", reason: "no V8 worker thread found" });
});
