import { setTimeout as sleep } from "node:timers/promises";
import type { PersonRepository } from "../../src/application/ports/person-repository.port.ts";

/** Wraps a repository so that `get` takes `delayMs`, honouring the caller's signal like a real store call. */
export function withSlowGet(inner: PersonRepository, delayMs: number): PersonRepository & { cancelled: number } {
  const wrapped = {
    ...inner,
    cancelled: 0,
    async get(id: string, options: { signal?: AbortSignal | undefined }) {
      try {
        await sleep(delayMs, undefined, { signal: options.signal });
      } catch {
        wrapped.cancelled++;
        throw options.signal?.reason;
      }
      return inner.get(id, options);
    },
  };
  return wrapped;
}
