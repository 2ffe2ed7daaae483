/**
 * Two servers on the same core, loaded at the same time from the other: the
 * machine's stalls and drift then hit both alike, and the ratio of their
 * req/s is the inverse ratio of their CPU per request (a build against
 * itself: 1.00 to 1.065). It does not show what depends on the rate a
 * process runs at, such as how often V8 collects: each side runs at about
 * half speed. Nor is the core shared by process: the scheduler shares it by
 * thread, so a process with more runnable threads (V8's collector helpers,
 * libuv's pool) gets more of it. Given the two processes, each round also
 * reads the CPU time each used, and the ratio of calls per CPU-second is
 * the one that does not depend on how the core was shared. Used by
 * bench/ab.ts (two builds) and bench.ts (the service beside each baseline).
 */
import type { LoadResult } from "./load.ts";
import { cpuSeconds } from "./process-stats.ts";

/** One round: each side's req/s and CPU seconds, and B/A in req/s and in calls per CPU-second. */
export interface SideBySideRound {
  readonly a: number;
  readonly b: number;
  readonly cpuA: number;
  readonly cpuB: number;
  readonly ratio: number;
  readonly perCpu: number;
}

/** The median, lowest and highest of a series' B/A. */
export interface Spread {
  readonly ratio: number;
  readonly min: number;
  readonly max: number;
}

/** The rounds of a side-by-side series, and the spread of B/A in req/s (the top level) and in calls per CPU-second. */
export interface SideBySide extends Spread {
  readonly rounds: ReadonlyArray<SideBySideRound>;
  readonly perCpu: Spread;
}

/** The median, lowest and highest of `xs`. */
function spread(xs: number[]): Spread {
  const sorted = [...xs].sort((x, y) => x - y);
  return { ratio: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted.at(-1)! };
}

/**
 * Runs `loadA` and `loadB` (served by the processes `pids`) together: once
 * to warm up, then `rounds` times, reading each process's CPU time around
 * each round; `onRound` sees each round.
 */
export async function sideBySide(
  loadA: () => Promise<LoadResult>,
  loadB: () => Promise<LoadResult>,
  pids: readonly [number, number],
  rounds: number,
  onRound: (round: number, result: SideBySideRound) => void = () => {},
): Promise<SideBySide> {
  await Promise.all([loadA(), loadB()]);
  const done: SideBySideRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    const before = pids.map(cpuSeconds);
    const [a, b] = await Promise.all([loadA(), loadB()]);
    const [cpuA, cpuB] = pids.map((pid, i) => cpuSeconds(pid) - before[i]!) as [number, number];
    const result = { a: a.rps, b: b.rps, cpuA, cpuB, ratio: b.rps / a.rps, perCpu: b.rps / cpuB / (a.rps / cpuA) };
    done.push(result);
    onRound(round, result);
  }
  return { rounds: done, ...spread(done.map((r) => r.ratio)), perCpu: spread(done.map((r) => r.perCpu)) };
}
