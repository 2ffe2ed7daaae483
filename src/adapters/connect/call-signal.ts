import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";

/** The error a call ends with when the service's default deadline passes. */
export function defaultDeadlineError(defaultDeadlineMs: number): ConnectError {
  return new ConnectError(`the default deadline of ${defaultDeadlineMs} ms passed`, Code.DeadlineExceeded);
}

/**
 * The signal the use cases get: the RPC's own (client deadline from
 * grpc-timeout / connect-timeout-ms, client cancel, shutdown), plus the
 * service's default deadline when the client set none. Expiry aborts with
 * DEADLINE_EXCEEDED, which reaches the store and cancels its work.
 */
export function callSignal(ctx: HandlerContext, defaultDeadlineMs: number): AbortSignal {
  // A context that already runs against a deadline (the client's, or the
  // default one the fast lane applies itself) needs no second timer.
  if (ctx.timeoutMs() !== undefined || defaultDeadlineMs <= 0) return ctx.signal;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(defaultDeadlineError(defaultDeadlineMs)),
    defaultDeadlineMs,
  );
  const stop = () => clearTimeout(timer);
  ctx.signal.addEventListener("abort", () => {
    stop();
    controller.abort(ctx.signal.reason);
  }, { once: true });
  controller.signal.addEventListener("abort", stop, { once: true });
  return controller.signal;
}
