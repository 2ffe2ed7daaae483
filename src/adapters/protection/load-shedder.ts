/** Whether the process is too busy to take more work. */
export interface LoadSignal {
  overloaded(): boolean;
  stop(): void;
}

/**
 * Overload from event-loop lag: a timer ticks every `resolutionMs` and notes
 * how late it fires; every `windowMs` the worst lag of the window is compared
 * with `maxLagMs`. While over, new RPCs are refused (UNAVAILABLE) so that the
 * ones admitted finish in bounded time; the next calm window lifts it.
 */
export function createEventLoopLoadSignal(maxLagMs: number, windowMs = 250, resolutionMs = 20): LoadSignal & { sample(): void } {
  let last = performance.now();
  let worst = 0;
  let over = false;
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - resolutionMs);
    last = now;
  }, resolutionMs);
  tick.unref();
  const sample = () => {
    // A loop blocked right now has not ticked yet: count the wait so far too.
    worst = Math.max(worst, performance.now() - last - resolutionMs);
    over = worst > maxLagMs;
    worst = 0;
  };
  const window = setInterval(sample, windowMs);
  window.unref();
  return {
    overloaded: () => over,
    sample,
    stop() {
      clearInterval(tick);
      clearInterval(window);
    },
  };
}
