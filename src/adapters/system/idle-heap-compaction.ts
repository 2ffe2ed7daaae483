import { performance } from "node:perf_hooks";
import v8 from "node:v8";

/** V8's collector, as `--expose-gc` exposes it (see `collectorOnDemand`). */
export type ExposedGc = (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

/** What one compaction gave back. */
export interface HeapCompaction {
  readonly durationMs: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly newSpaceBeforeMb: number;
  readonly newSpaceAfterMb: number;
}

/** Options of {@link scheduleIdleHeapCompaction}. */
export interface IdleHeapCompactionOptions {
  /** The collector (`collectorOnDemand()`); absent, nothing is scheduled. */
  readonly gc: ExposedGc | undefined;
  /** Called once the heap was compacted. */
  readonly onCompacted: (result: HeapCompaction) => void;
  /** How often the event loop's utilization is looked at (default 500 ms). */
  readonly checkEveryMs?: number;
  /** Gives up if the service is never idle within this time (default 30 s): under load the memory is in use anyway. */
  readonly withinMs?: number;
  /**
   * Idle means the event loop was busy less than this share of the last
   * check's interval (default 0.01; an idle service is at ~0.001), and
   * `activity` did not move: light traffic must not pay the pause.
   */
  readonly idleBelow?: number;
  /** The event loop's utilization since the previous call (tests replace it). */
  readonly utilization?: () => number;
  /** A count of the work served so far (RPCs begun): idle also means it did not move since the previous check. */
  readonly activity?: () => number;
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const newSpaceBytes = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0;

function eventLoopUtilization(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}

/**
 * Gives start-up's memory back, once, the first time the service is idle
 * after it started (no RPC and a quiet event loop over a whole check
 * interval): loading the modules fills V8's young generation (16 MB
 * semi-spaces here, that size from the start) and leaves garbage in the old
 * one, and V8 keeps the pages holding them while idle. One last-resort
 * collection (~70 ms here; a request arriving meanwhile waits for it) frees
 * them: idle RSS ~89 -> ~80 MB. Returns a function that cancels it.
 */
export function scheduleIdleHeapCompaction(opts: IdleHeapCompactionOptions): () => void {
  const { gc } = opts;
  if (gc === undefined) return () => {};
  const utilization = opts.utilization ?? eventLoopUtilization();
  const checkEveryMs = opts.checkEveryMs ?? 500;
  const deadline = Date.now() + (opts.withinMs ?? 30_000);
  const activity = opts.activity ?? (() => 0);
  let lastActivity = activity();
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const served = activity();
    const busy = utilization() >= (opts.idleBelow ?? 0.01) || served !== lastActivity;
    lastActivity = served;
    if (busy) {
      if (Date.now() < deadline) timer = setTimeout(check, checkEveryMs).unref();
      return;
    }
    const rssBefore = process.memoryUsage.rss();
    const newSpaceBefore = newSpaceBytes();
    const started = performance.now();
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
    opts.onCompacted({
      durationMs: Math.round(performance.now() - started),
      rssBeforeMb: mb(rssBefore),
      rssAfterMb: mb(process.memoryUsage.rss()),
      newSpaceBeforeMb: mb(newSpaceBefore),
      newSpaceAfterMb: mb(newSpaceBytes()),
    });
  };
  timer = setTimeout(check, checkEveryMs).unref();
  return () => clearTimeout(timer);
}
