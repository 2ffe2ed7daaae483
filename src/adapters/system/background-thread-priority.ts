import { readdirSync, readFileSync } from "node:fs";
import { setPriority } from "node:os";

/*
 * Why: V8's worker threads (concurrent marking and sweeping, parallel
 * scavenging, optimizing compilation) run on the same cores as the thread
 * that answers calls. Where the service has one core (pinned, or a CPU limit
 * of one), the kernel shares that core between them at equal priority, and a
 * worker it lets run holds the answering thread off for a whole time slice:
 * on the benchmark's VM, event-loop turns of 50 to 100 ms in which the main
 * thread ran for 20 ms and the workers for the rest. At a lower priority they
 * run in the time the main thread leaves idle, and yield to it as soon as it
 * wakes; their work is the same, and V8 finishes on the main thread what they
 * have not done when it needs it. The cost: on a saturated core they get
 * almost no time, so the optimizing compiler and concurrent marking fall
 * behind (fewer calls a second, a larger heap). Hence off by default.
 */

/** Reads a thread's name and sets its niceness (tests replace them). */
export interface ThreadIo {
  /** The ids of this process's threads (Linux: /proc/self/task). */
  threads(): string[];
  /** A thread's name (Linux: /proc/self/task/<id>/comm). */
  name(tid: string): string;
  /** Sets one thread's niceness (on Linux, setpriority on a thread id sets that thread alone). */
  setNice(tid: number, nice: number): void;
}

const linuxIo: ThreadIo = {
  threads: () => readdirSync("/proc/self/task"),
  name: (tid) => readFileSync(`/proc/self/task/${tid}/comm`, "latin1").trim(),
  setNice: (tid, nice) => setPriority(tid, nice),
};

/** The names Node gives V8's platform worker threads. */
export const v8WorkerThreadNames: readonly string[] = ["V8Worker"];

/** What lowerBackgroundThreadPriority did, for the "listening" log line. */
export type ThreadPriorityResult = { readonly v8WorkersNice: number; readonly threads: number } | { readonly v8WorkersNice: "unchanged"; readonly reason: string };

/**
 * Gives V8's worker threads the niceness `nice` (1 to 19; 0 leaves them as
 * they are), so that they never delay the thread that answers calls. Lowering
 * a priority needs no privilege. Where threads cannot be listed (not Linux)
 * nothing changes, and the result says why.
 */
export function lowerBackgroundThreadPriority(nice: number, io: ThreadIo = linuxIo): ThreadPriorityResult {
  if (nice === 0) return { v8WorkersNice: "unchanged", reason: "off" };
  let tids: string[];
  try {
    tids = io.threads();
  } catch {
    return { v8WorkersNice: "unchanged", reason: "threads not listed on this platform" };
  }
  let threads = 0;
  for (const tid of tids) {
    try {
      if (!v8WorkerThreadNames.includes(io.name(tid))) continue;
      io.setNice(Number(tid), nice);
      threads++;
    } catch {
      // A thread that ended meanwhile, or a setting refused: the others still count.
    }
  }
  return threads > 0 ? { v8WorkersNice: nice, threads } : { v8WorkersNice: "unchanged", reason: "no V8 worker thread found" };
}
