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

/** One round: each side's req/s and, given the processes, the CPU seconds each used. */
export interface SideBySideRound {
  readonly a: number;
  readonly b: number;
  readonly cpuA?: number;
  readonly cpuB?: number;
}

/** The rounds of a side-by-side series, the median of B/A, and of B/A in calls per CPU-second. */
export interface SideBySide {
  readonly rounds: ReadonlyArray<SideBySideRound>;
  /** Median of the rounds' B/A (req/s). */
  readonly ratio: number;
  readonly min: number;
  readonly max: number;
  /** Median, lowest and highest of the rounds' B/A in calls per CPU-second (when the processes were given). */
  readonly perCpu?: { readonly ratio: number; readonly min: number; readonly max: number };
}

/** The median, lowest and highest of `xs`. */
function spread(xs: number[]): { ratio: number; min: number; max: number } {
  const sorted = [...xs].sort((x, y) => x - y);
  return { ratio: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted.at(-1)! };
}

/**
 * Runs `loadA` and `loadB` together: once to warm up, then `rounds` times;
 * `onRound` sees each round. `pids`: the processes of A and B, whose CPU
 * time each round reads.
 */
export async function sideBySide(
  loadA: () => Promise<LoadResult>,
  loadB: () => Promise<LoadResult>,
  rounds: number,
  onRound: (round: number, a: LoadResult, b: LoadResult, cpu?: { a: number; b: number }) => void = () => {},
  pids?: readonly [number, number],
): Promise<SideBySide> {
  await Promise.all([loadA(), loadB()]);
  const done: SideBySideRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    const before = pids?.map(cpuSeconds);
    const [a, b] = await Promise.all([loadA(), loadB()]);
    const after = pids?.map(cpuSeconds);
    const cpu = before && after ? { a: after[0]! - before[0]!, b: after[1]! - before[1]! } : undefined;
    done.push({ a: a.rps, b: b.rps, ...(cpu ? { cpuA: cpu.a, cpuB: cpu.b } : {}) });
    onRound(round, a, b, cpu);
  }
  const perCpu = pids ? spread(done.map((r) => r.b / r.cpuB! / (r.a / r.cpuA!))) : undefined;
  return { rounds: done, ...spread(done.map((r) => r.b / r.a)), ...(perCpu ? { perCpu } : {}) };
}
