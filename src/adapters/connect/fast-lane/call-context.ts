import { Code, ConnectError, type ContextValues, type HandlerContext } from "@connectrpc/connect";
import type { DescMethod } from "@bufbuild/protobuf";
import { defaultDeadlineError } from "../call-signal.ts";
import { createLightHeaders } from "../../http/light-headers.ts";
import type { Deadline, DeadlineTimers } from "./deadline-timers.ts";

/** A handler context the fast lane controls. */
export interface CallContext extends HandlerContext {
  /** Aborts the call's signal with `reason` (an error, the client gone, the deadline). */
  abort(reason: unknown): void;
  /** The call is over: its deadline timer stops; a signal not aborted yet stays so. */
  end(): void;
}

/** What a call context is made of. */
export interface CallContextInit {
  readonly method: DescMethod;
  readonly protocolName: string;
  readonly url: string;
  /** The client's deadline (grpc-timeout, connect-timeout-ms), if it set one. */
  readonly timeoutMs: number | undefined;
  /** The service's deadline for calls whose client set none (0: none). */
  readonly defaultDeadlineMs: number;
  /** Where the deadline runs. */
  readonly deadlines: DeadlineTimers;
  readonly requestHeader: Headers;
  readonly responseHeader: Record<string, string>;
  readonly responseTrailer?: Record<string, string>;
  readonly values: ContextValues;
}

/**
 * The HandlerContext connect-es's createHandlerContext makes — same fields,
 * same deadline error — with one AbortController and at most one deadline per
 * call (on the server's shared deadline timers) instead of two linked
 * controllers and a timer each (three with the default deadline).
 * Unlike connect-es, a call that ends normally does not abort its signal:
 * a unary implementation has returned by then, and the abort event (an
 * AbortError and a dispatch per call) would reach nobody. When the client set
 * no deadline, the service's default one runs on the same timer (and
 * `timeoutMs()` reports it, so the implementation adds no second timer).
 */
export function createCallContext(init: CallContextInit): CallContext {
  const controller = new AbortController();
  let deadline: Deadline | undefined;
  let timeoutMs: () => number | undefined = () => undefined;
  const end = () => {
    if (deadline !== undefined) init.deadlines.cancel(deadline);
  };
  const abort = (reason: unknown) => {
    end();
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const ms = init.timeoutMs ?? (init.defaultDeadlineMs > 0 ? init.defaultDeadlineMs : undefined);
  if (ms !== undefined) {
    const endsAt = Date.now() + ms;
    timeoutMs = () => endsAt - Date.now();
    const expire = () =>
      abort(init.timeoutMs === undefined ? defaultDeadlineError(ms) : new ConnectError("the operation timed out", Code.DeadlineExceeded));
    if (ms <= 0) expire();
    else deadline = init.deadlines.start(ms, expire);
  }
  return {
    method: init.method,
    service: init.method.parent,
    requestMethod: "POST",
    protocolName: init.protocolName,
    url: init.url,
    signal: controller.signal,
    timeoutMs,
    requestHeader: init.requestHeader,
    responseHeader: createLightHeaders(init.responseHeader),
    responseTrailer: createLightHeaders(init.responseTrailer),
    values: init.values,
    abort,
    end,
  };
}
