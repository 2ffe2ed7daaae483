/**
 * Writes HTTP/1.1 responses together, at the end of the event-loop turn in
 * which they were finished, instead of each one the moment it is ready.
 *
 * Why: writing a response to a socket whose reader sleeps wakes that reader,
 * and a wake-up across CPUs (an inter-processor interrupt, costly in virtual
 * machines) was measured at ~20 µs of the sender's CPU per response on
 * loopback: more than the rest of a GetPerson call. Written back to back, only
 * the first write of a turn pays it. Each response waits at most for the rest
 * of the current turn (microseconds), and the order of writes is kept.
 */
export interface ResponseBatch {
  /** Runs `write` at the end of this event-loop turn, after the writes deferred before it. */
  defer(write: () => void): void;
  /** Resolves at the end of this event-loop turn (for writers that cannot hand over a callback). */
  turn(): Promise<void>;
}

/** Creates a batch; `onError` receives what a deferred write throws (the other writes still run). */
export function createResponseBatch(onError: (error: unknown) => void): ResponseBatch {
  let pending: Array<() => void> = [];
  const flush = () => {
    const writes = pending;
    pending = [];
    for (const write of writes) {
      try {
        write();
      } catch (e) {
        onError(e);
      }
    }
  };
  const defer = (write: () => void) => {
    if (pending.push(write) === 1) setImmediate(flush);
  };
  return {
    defer,
    turn: () => new Promise<void>((resolve) => defer(resolve)),
  };
}
