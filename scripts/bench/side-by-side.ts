/**
 * Two servers on the same core, loaded at the same time from the other: the
 * machine's stalls and drift then hit both alike, and the ratio of their
 * req/s is the inverse ratio of their CPU per request (a build against
 * itself: 1.00 to 1.065). It does not show what depends on the rate a
 * process runs at, such as how often V8 collects: each side runs at about
 * half speed. Used by bench/ab.ts (two builds) and bench.ts (the service
 * beside each baseline).
 */
import type { LoadResult } from "./load.ts";

/** The rounds of a side-by-side series, and the median of B/A. */
export interface SideBySide {
  readonly rounds: ReadonlyArray<{ readonly a: number; readonly b: number }>;
  /** Median of the rounds' B/A. */
  readonly ratio: number;
  readonly min: number;
  readonly max: number;
}

/** Runs `loadA` and `loadB` together: once to warm up, then `rounds` times; `onRound` sees each round. */
export async function sideBySide(
  loadA: () => Promise<LoadResult>,
  loadB: () => Promise<LoadResult>,
  rounds: number,
  onRound: (round: number, a: LoadResult, b: LoadResult) => void = () => {},
): Promise<SideBySide> {
  await Promise.all([loadA(), loadB()]);
  const done: Array<{ a: number; b: number }> = [];
  for (let round = 1; round <= rounds; round++) {
    const [a, b] = await Promise.all([loadA(), loadB()]);
    done.push({ a: a.rps, b: b.rps });
    onRound(round, a, b);
  }
  const ratios = done.map((r) => r.b / r.a).sort((x, y) => x - y);
  return { rounds: done, ratio: ratios[Math.floor(ratios.length / 2)]!, min: ratios[0]!, max: ratios.at(-1)! };
}
