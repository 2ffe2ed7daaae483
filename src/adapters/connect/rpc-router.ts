import {
  createConnectRouter,
  createServiceImplSpec,
  type ConnectRouter,
  type HandlerContext,
  type MethodImplSpec,
} from "@connectrpc/connect";
import { validateUniversalHandlerOptions, type UniversalHandler } from "@connectrpc/connect/protocol";
import { lazyCompression } from "./connect-node.ts";
import { createEdgeInterceptor } from "./edge-interceptor.ts";
import { rpcCallKey } from "./rpc-call.ts";

/** Options of the RPC router every edge (Connect routes, REST routes) shares. */
export interface RpcRouterOptions {
  /** Registers the services. */
  readonly routes: (router: ConnectRouter) => void;
  /** Largest accepted request message, in bytes (RESOURCE_EXHAUSTED above). */
  readonly readMaxBytes: number;
  /** Runs before each request body is read (load shedding, auth, rate limits); throws or rejects to refuse. */
  readonly gate?: (ctx: HandlerContext) => Promise<void> | undefined;
}

/** The handler options connect-es works with, defaults filled in. */
export type RpcHandlerOptions = ReturnType<typeof validateUniversalHandlerOptions>;

/** One unary RPC: its stock handler (all protocols) and its implementation. */
export interface UnaryRoute {
  readonly handler: UniversalHandler;
  readonly spec: Extract<MethodImplSpec, { kind: "unary" }>;
}

/** Every RPC, as stock handlers and, for unary RPCs, as implementations the fast lane can call. */
export interface RpcRoutes {
  readonly handlers: UniversalHandler[];
  /** Unary RPCs by request path (`/package.Service/Method`). */
  readonly unary: ReadonlyMap<string, UnaryRoute>;
  /** The exact options the stock handlers run with (interceptors, gate, limits, compression, JSON). */
  readonly options: RpcHandlerOptions;
}

/**
 * Builds the one set of routes (gRPC, gRPC-Web, Connect) that every path to
 * the use cases runs through: the same interceptors, the same strict JSON
 * (unknown fields refused), the same request gate, whether a request takes
 * the stock connect-es handler or the unary fast lane.
 */
export function createRpcRoutes(opts: RpcRouterOptions): RpcRoutes {
  const options = validateUniversalHandlerOptions({
    interceptors: [createEdgeInterceptor()],
    readMaxBytes: opts.readMaxBytes,
    jsonOptions: { ignoreUnknownFields: false },
    acceptCompression: [lazyCompression("gzip"), lazyCompression("br")],
    requestGate(ctx) {
      // The edge's record of the call learns Connect's context here, once, for every RPC.
      const call = ctx.values.get(rpcCallKey);
      if (call) call.context = ctx;
      return opts.gate?.(ctx);
    },
  });
  const router = createConnectRouter(options);
  const specs: Array<UnaryRoute["spec"]> = [];
  const recording: ConnectRouter = Object.assign(Object.create(router) as ConnectRouter, {
    service(...args: Parameters<ConnectRouter["service"]>) {
      for (const spec of Object.values(createServiceImplSpec(args[0], args[1]).methods)) {
        if (spec.kind === "unary") specs.push(spec);
      }
      router.service(...args);
      return recording;
    },
  });
  opts.routes(recording);
  const unary = new Map<string, UnaryRoute>();
  for (const spec of specs) {
    const handler = router.handlers.find((h) => h.method === spec.method)!;
    unary.set(handler.requestPath, { handler, spec });
  }
  return { handlers: router.handlers, unary, options };
}
