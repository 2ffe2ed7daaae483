import { createConnectRouter, createContextValues, type ConnectRouter } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest } from "@connectrpc/connect-node";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { createEdgeInterceptor } from "./edge-interceptor.ts";
import { reclassifyMalformedRequest } from "./malformed-request.ts";
import { rpcCallKey, startRpcCall } from "./rpc-call.ts";
import { logRpc } from "./rpc-log.ts";
import { writeUniversalResponse } from "./write-response.ts";

/** Options of the Connect edge. */
export interface ConnectPluginOptions {
  /** Registers the services on the router. */
  readonly routes: (router: ConnectRouter) => void;
  readonly logger: Logger;
  /** Largest accepted request message, in bytes (RESOURCE_EXHAUSTED above). */
  readonly readMaxBytes: number;
  /** True once graceful shutdown began: HTTP/1.1 answers then carry `Connection: close`. */
  readonly isShuttingDown: () => boolean;
}

/**
 * Mounts every RPC of the routes on Fastify, for the gRPC, gRPC-Web and
 * Connect protocols. Like @connectrpc/connect-fastify, plus one log line per
 * RPC, the correlation id, and INVALID_ARGUMENT for undecodable bodies.
 */
export function connectPlugin(instance: FastifyInstance, opts: ConnectPluginOptions, done: (err?: Error) => void): void {
  const router = createConnectRouter({
    interceptors: [createEdgeInterceptor()],
    readMaxBytes: opts.readMaxBytes,
    jsonOptions: { ignoreUnknownFields: false },
    acceptCompression: [compressionGzip, compressionBrotli],
    requestGate(ctx) {
      const call = ctx.values.get(rpcCallKey);
      if (call) call.context = ctx;
    },
  });
  opts.routes(router);
  // Connect reads the bodies itself; in this encapsulated scope no parser runs.
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser("*", (_req, _payload, next) => next(null, undefined));
  for (const handler of router.handlers) {
    instance.all(handler.requestPath, createRouteHandler(handler, opts));
  }
  done();
}

function createRouteHandler(handler: UniversalHandler, opts: ConnectPluginOptions) {
  const procedure = `${handler.service.typeName}/${handler.method.name}`;
  return async function handleRpc(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const call = startRpcCall(req.id);
    try {
      const uReq = universalRequestFromNodeRequest(
        req.raw,
        reply.raw,
        undefined,
        createContextValues().set(rpcCallKey, call),
      );
      const res = await reclassifyMalformedRequest(call, await handler(uReq));
      for (const [key, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(key, value);
      }
      // An HTTP/1.1 connection is not reused when shutting down, nor when the
      // request body was refused unread (draining it could take forever).
      if (req.raw.httpVersionMajor === 1 && (opts.isShuttingDown() || !req.raw.complete)) {
        reply.raw.setHeader("connection", "close");
      }
      await writeUniversalResponse(res, reply.raw);
      logRpc(opts.logger, procedure, call, res);
    } catch (e) {
      opts.logger.warn(
        { requestId: call.requestId, procedure, err: { message: (e as Error).message } },
        "rpc response not delivered",
      );
    }
  };
}
