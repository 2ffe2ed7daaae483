import { createContextKey, type HandlerContext } from "@connectrpc/connect";

/**
 * What the edge knows of one RPC while it runs: its correlation id, when it
 * started, Connect's handler context once the request passed the gate, and
 * whether it reached the service implementation.
 */
export interface RpcCall {
  readonly requestId: string;
  /** When it started (performance.now(), ms). */
  readonly startMs: number;
  context: HandlerContext | undefined;
  reachedImplementation: boolean;
  /** The protocol the client used, set by edges that know it for sure (the fast lane, REST); else read from Connect's context. */
  protocol: string | undefined;
  /** The trace this call belongs to (from `traceparent`, or its own span), for logs. */
  traceId: string | undefined;
  /** The client's address, for per-client limits. */
  clientAddress: string | undefined;
  /** Served by the unary fast lane (else by the stock connect-es handler). */
  fastLane: boolean;
}

/** Context key under which the edge hands the RpcCall to Connect. */
export const rpcCallKey = createContextKey<RpcCall | undefined>(undefined, { description: "personsvc rpc call" });

/** Starts the record of an RPC. */
export function startRpcCall(requestId: string): RpcCall {
  return { requestId, startMs: performance.now(), context: undefined, reachedImplementation: false, protocol: undefined, traceId: undefined, clientAddress: undefined, fastLane: false };
}
