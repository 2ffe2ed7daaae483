import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";

/**
 * The signal the use cases get: the RPC's own (client deadline from
 * grpc-timeout / connect-timeout-ms, client cancel, shutdown), plus the
 * service's default deadline when the client set none. Expiry aborts with
 * DEADLINE_EXCEEDED, which reaches the store and cancels its work.
 */
export function callSignal(ctx: HandlerContext, defaultDeadlineMs: number): AbortSignal {
  if (ctx.timeoutMs() !== undefined || defaultDeadlineMs <= 0) return ctx.signal;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new ConnectError(`the default deadline of ${defaultDeadlineMs} ms passed`, Code.DeadlineExceeded)),
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
