import { randomUuid } from "./random-uuid.ts";
import type { IdGenerator } from "../../application/ports/id-generator.port.ts";

/** Random (version 4) UUIDs from the platform's CSPRNG. */
export function createUuidGenerator(): IdGenerator {
  return { next: randomUuid };
}
