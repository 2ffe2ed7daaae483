/**
 * Time to the first successful answer, over several starts: one start says
 * little on these VMs (the same build measured 335 and 489 ms in two runs an
 * hour apart). Each round spawns every server in turn, waits for its first
 * answer, stops it (SIGTERM) and waits for its exit.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Spawned } from "./servers.ts";

/** One server's start-ups: the median, the fastest and the slowest, in ms. */
export interface Startups {
  readonly name: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** Starts each server `rounds` times, interleaved, and summarizes its times to the first answer. */
export async function measureStartups(servers: ReadonlyArray<readonly [string, () => Spawned]>, rounds: number): Promise<Startups[]> {
  const times = servers.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, [, spawn]] of servers.entries()) {
      const { child, firstAnswer } = spawn();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      times[i]!.push(await firstAnswer);
      child.kill("SIGTERM");
      await exited;
      await sleep(200);
    }
  }
  return servers.map(([name], i) => {
    const sorted = times[i]!.sort((a, b) => a - b);
    return { name, medianMs: sorted[Math.floor(sorted.length / 2)]!, minMs: sorted[0]!, maxMs: sorted.at(-1)! };
  });
}
