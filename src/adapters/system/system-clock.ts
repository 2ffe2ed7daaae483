import type { Clock } from "../../application/ports/clock.port.ts";

/** The machine's wall clock, at millisecond resolution. */
export function createSystemClock(): Clock {
  return { now: () => BigInt(Date.now()) * 1_000_000n };
}
