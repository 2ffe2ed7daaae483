import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/metrics.ts";
import { startRpcCall, type RpcCall } from "./rpc-call.ts";
import { logRpc } from "./rpc-log.ts";

/**
 * The one place every RPC is observed, whichever edge served it (Connect
 * routes, REST routes): start, then exactly one end with the log line, the
 * metrics and the in-flight count.
 */
export interface RpcObserver {
  /** Starts observing an RPC; `protocol` labels the in-flight gauge. */
  begin(requestId: string, protocol: string): RpcCall;
  /** The RPC was answered with `res`. */
  end(handler: UniversalHandler, call: RpcCall, res: UniversalServerResponse): void;
  /** The answer could not be delivered (the client went away mid-response). */
  abandon(handler: UniversalHandler, call: RpcCall, error: unknown): void;
}

/** The protocol of a request from its content type, before Connect has parsed it. */
export function protocolHint(contentType: string | undefined, method: string): string {
  if (contentType?.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType?.startsWith("application/grpc")) return "grpc";
  return method === "GET" ? "connect-get" : "connect";
}

/** Creates the observer over the logger and the metrics. */
export function createRpcObserver(logger: Logger, metrics: Metrics): RpcObserver {
  const inFlight = new WeakMap<RpcCall, string>();
  const done = (call: RpcCall) => {
    const label = inFlight.get(call);
    if (label === undefined) return false;
    inFlight.delete(call);
    metrics.inFlight.dec({ protocol: label });
    return true;
  };
  return {
    begin(requestId, protocol) {
      const call = startRpcCall(requestId);
      inFlight.set(call, protocol);
      metrics.inFlight.inc({ protocol });
      return call;
    },
    end(handler, call, res) {
      if (!done(call)) return;
      const { protocol, code, seconds } = logRpc(logger, `${handler.service.typeName}/${handler.method.name}`, call, res);
      metrics.rpcEnded({ service: handler.service.typeName, method: handler.method.name, protocol, code }, seconds);
    },
    abandon(handler, call, error) {
      if (!done(call)) return;
      const procedure = `${handler.service.typeName}/${handler.method.name}`;
      logger.warn({ requestId: call.requestId, procedure, err: { message: (error as Error).message } }, "rpc response not delivered");
      metrics.rpcEnded({ service: handler.service.typeName, method: handler.method.name, protocol: call.protocol ?? "unknown", code: "canceled" }, Number(process.hrtime.bigint() - call.startNs) / 1e9);
    },
  };
}
