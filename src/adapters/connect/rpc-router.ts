import { createConnectRouter, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { createEdgeInterceptor } from "./edge-interceptor.ts";
import { rpcCallKey } from "./rpc-call.ts";

/** Options of the RPC router every edge (Connect routes, REST routes) shares. */
export interface RpcRouterOptions {
  /** Registers the services. */
  readonly routes: (router: ConnectRouter) => void;
  /** Largest accepted request message, in bytes (RESOURCE_EXHAUSTED above). */
  readonly readMaxBytes: number;
  /** Runs before each request body is read (load shedding, auth, rate limits); rejects to refuse. */
  readonly gate?: (ctx: HandlerContext) => Promise<void>;
}

/**
 * Builds the one set of universal handlers (gRPC, gRPC-Web, Connect) that
 * every path to the use cases runs through: the same interceptors, the same
 * strict JSON (unknown fields refused), the same request gate.
 */
export function createRpcHandlers(opts: RpcRouterOptions): UniversalHandler[] {
  const router = createConnectRouter({
    interceptors: [createEdgeInterceptor()],
    readMaxBytes: opts.readMaxBytes,
    jsonOptions: { ignoreUnknownFields: false },
    acceptCompression: [compressionGzip, compressionBrotli],
    requestGate(ctx) {
      // The edge's record of the call learns Connect's context here, once, for every RPC.
      const call = ctx.values.get(rpcCallKey);
      if (call) call.context = ctx;
      return opts.gate?.(ctx);
    },
  });
  opts.routes(router);
  return router.handlers;
}
