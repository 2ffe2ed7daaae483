import type { EpochNanos } from "../../domain/person.ts";

/** The source of "now" for the use cases. */
export interface Clock {
  /** The current time in nanoseconds since the Unix epoch, UTC. */
  now(): EpochNanos;
}
