import type { Context, Span } from "@opentelemetry/api";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/metrics.ts";
import type { Tracing } from "../tracing/tracing.ts";
import { startRpcCall, type RpcCall } from "./rpc-call.ts";
import { logRpc } from "./rpc-log.ts";
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
  /** The RPC was answered with `res` (its status and headers). */
  end(handler: UniversalHandler, call: RpcCall, res: RpcAnswer): void;
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
  const finish = (call: RpcCall) => {
    const observed = live.get(call);
    if (observed === undefined) return undefined;
    live.set(call, undefined);
    metrics.inFlight.dec(observed.protocol);
    return observed;
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
      const observed = finish(call);
      if (!observed) return;
      const { protocol, code, seconds } = logRpc(logger, rpcLine, `${handler.service.typeName}/${handler.method.name}`, call, res);
      metrics.rpcEnded(handler.service.typeName, handler.method.name, protocol, code, seconds);
      if (observed.span === undefined) return; // tracing off: no span, no attributes to build
      const fault = code === "internal" || code === "unknown" || code === "data_loss";
      tracing.endSpan(observed.span, { "rpc.grpc.status_code": grpcCodes[code] ?? 2, "rpc.protocol": protocol, "http.response.status_code": res.status, ...(code === "ok" ? {} : { "rpc.connect_rpc.error_code": code }) }, fault);
    },
    abandon(handler, call, error) {
      const observed = finish(call);
      if (!observed) return;
      const procedure = `${handler.service.typeName}/${handler.method.name}`;
      const durationMs = performance.now() - call.startMs;
      // The same fields as the rpc line, so one query finds every call, delivered or not.
      logger.warn(
        { requestId: call.requestId, traceId: call.traceId, procedure, protocol: observed.protocol, code: "canceled", durationMs, lane: call.fastLane ? "fast" : "stock", err: { message: (error as Error).message } },
        "rpc response not delivered",
      );
      metrics.rpcEnded(handler.service.typeName, handler.method.name, observed.protocol, "canceled", durationMs / 1000);
      tracing.endSpan(observed.span, { "rpc.grpc.status_code": 1 }, false);
    },
  };
}
