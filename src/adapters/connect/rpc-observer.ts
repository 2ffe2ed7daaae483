import type { Context, Span } from "@opentelemetry/api";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/metrics.ts";
import type { Tracing } from "../tracing/tracing.ts";
import { startRpcCall, type RpcCall } from "./rpc-call.ts";
import { logRpc, summarizeRpc, type RpcSummary } from "./rpc-log.ts";
import { createInfoLineWriter } from "../http/logger.ts";

/**
 * The one place every RPC is observed, whichever edge served it (Connect
 * routes, REST routes): start, then exactly one end with the log line, the
 * metrics, the in-flight count and the server span.
 */
export interface RpcObserver {
  /** Starts observing an RPC; `protocol` labels the in-flight gauge, `headers` carry the trace context. */
  begin(handler: UniversalHandler, requestId: string, protocol: string, headers: Headers): RpcCall;
  /** Runs the call's work inside its trace context. */
  run<T>(call: RpcCall, work: () => T): T;
  /** The RPC was answered with `res` (its status and headers), and the answer delivered. */
  end(handler: UniversalHandler, call: RpcCall, res: RpcAnswer): void;
  /**
   * The RPC was answered with `res`, which is being written: what the end
   * needs is read now, and the call is let go. The returned function ends
   * the RPC once the write is over: delivered (no argument), or not (the
   * error), as `end` or `abandon` would.
   */
  answered(handler: UniversalHandler, call: RpcCall, res: RpcAnswer): (undelivered?: Error) => void;
  /** The answer could not be delivered (the client went away mid-response). */
  abandon(handler: UniversalHandler, call: RpcCall, error: unknown): void;
  /** How many RPCs have begun since start-up. */
  begun(): number;
}

/** What the observer reads of an answer. */
export type RpcAnswer = Pick<UniversalServerResponse, "status" | "header">;

/** The protocol of a request from its content type, before Connect has parsed it. */
export function protocolHint(contentType: string | undefined, method: string): string {
  if (contentType?.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType?.startsWith("application/grpc")) return "grpc";
  return method === "GET" ? "connect-get" : "connect";
}

const grpcCodes: Record<string, number> = {
  ok: 0, canceled: 1, unknown: 2, invalid_argument: 3, deadline_exceeded: 4, not_found: 5, already_exists: 6,
  permission_denied: 7, resource_exhausted: 8, failed_precondition: 9, aborted: 10, out_of_range: 11,
  unimplemented: 12, internal: 13, unavailable: 14, data_loss: 15, unauthenticated: 16,
};

const ignore = () => {};

/** What the line of an abandoned RPC says of its call. */
type Basics = Pick<RpcSummary, "requestId" | "traceId" | "lane" | "startMs">;

const observedKey = Symbol("observed");
type Watched = RpcCall & { [observedKey]?: Observed | undefined };

interface Observed {
  readonly protocol: string;
  readonly span: Span | undefined;
  readonly context: Context;
}

/** Creates the observer over the logger, the metrics and tracing. */
export function createRpcObserver(logger: Logger, metrics: Metrics, tracing: Tracing): RpcObserver {
  const rpcLine = createInfoLineWriter(logger, "rpc");
  // What is being observed rides on the call itself: a WeakMap entry per call costs the GC.
  const live = {
    get: (call: RpcCall) => (call as Watched)[observedKey],
    set: (call: RpcCall, observed: Observed | undefined) => void ((call as Watched)[observedKey] = observed),
  };
  /** Takes what is observed of the call (undefined once taken: a call ends once). */
  const take = (call: RpcCall) => {
    const observed = live.get(call);
    if (observed !== undefined) live.set(call, undefined);
    return observed;
  };
  /** Ends an RPC whose answer was not delivered (or never made), as CANCELED. */
  const abandoned = (handler: UniversalHandler, observed: Observed, basics: Basics, error: unknown) => {
    metrics.inFlight.dec(observed.protocol);
    const durationMs = performance.now() - basics.startMs;
    // The same fields as the rpc line, so one query finds every call, delivered or not.
    logger.warn(
      { requestId: basics.requestId, traceId: basics.traceId, procedure: `${handler.service.typeName}/${handler.method.name}`, protocol: observed.protocol, code: "canceled", durationMs, lane: basics.lane, err: { message: (error as Error).message } },
      "rpc response not delivered",
    );
    metrics.rpcEnded(handler.service.typeName, handler.method.name, observed.protocol, "canceled", durationMs / 1000);
    tracing.endSpan(observed.span, { "rpc.grpc.status_code": 1 }, false);
  };
  const answered: RpcObserver["answered"] = (handler, call, res) => {
    const observed = take(call);
    if (!observed) return ignore;
    const summary = summarizeRpc(`${handler.service.typeName}/${handler.method.name}`, call, res);
    let ended = false;
    return (undelivered) => {
      if (ended) return;
      ended = true;
      if (undelivered) return abandoned(handler, observed, summary, undelivered);
      metrics.inFlight.dec(observed.protocol);
      const { protocol, code } = summary;
      const seconds = logRpc(logger, rpcLine, summary) / 1000;
      metrics.rpcEnded(handler.service.typeName, handler.method.name, protocol, code, seconds);
      if (observed.span === undefined) return; // tracing off: no span, no attributes to build
      const fault = code === "internal" || code === "unknown" || code === "data_loss";
      tracing.endSpan(observed.span, { "rpc.grpc.status_code": grpcCodes[code] ?? 2, "rpc.protocol": protocol, "http.response.status_code": summary.httpStatus, ...(code === "ok" ? {} : { "rpc.connect_rpc.error_code": code }) }, fault);
    };
  };
  let begun = 0;
  return {
    begun: () => begun,
    begin(handler, requestId, protocol, headers) {
      begun++;
      const call = startRpcCall(requestId);
      const rpcSystem = protocol.startsWith("grpc") ? "grpc" : "connect_rpc";
      const { span, context, traceId } = tracing.startRpc(`${handler.service.typeName}/${handler.method.name}`, headers, {
        "rpc.system": rpcSystem,
        "rpc.service": handler.service.typeName,
        "rpc.method": handler.method.name,
      });
      call.traceId = traceId;
      live.set(call, { protocol, span, context });
      metrics.inFlight.inc(protocol);
      return call;
    },
    run(call, work) {
      const observed = live.get(call);
      return observed ? tracing.run(observed.context, work) : work();
    },
    end(handler, call, res) {
      answered(handler, call, res)();
    },
    answered,
    abandon(handler, call, error) {
      const observed = take(call);
      if (observed) abandoned(handler, observed, { requestId: call.requestId, traceId: call.traceId, lane: call.fastLane ? "fast" : "stock", startMs: call.startMs }, error);
    },
  };
}
