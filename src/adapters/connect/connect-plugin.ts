import { createContextValues } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify";
import { loadConnectNode } from "./connect-node.ts";
import { reclassifyMalformedRequest } from "./malformed-request.ts";
import { rpcCallKey } from "./rpc-call.ts";
import { protocolHint, type RpcObserver } from "./rpc-observer.ts";
import { writeUniversalResponse } from "./write-response.ts";

/** Options of the Connect edge. */
export interface ConnectPluginOptions {
  /** The universal handlers of every RPC (see rpc-router.ts). */
  readonly handlers: readonly UniversalHandler[];
  /** Logs, counts and times every RPC. */
  readonly observer: RpcObserver;
  /** True once graceful shutdown began: HTTP/1.1 answers then carry `Connection: close`. */
  readonly isShuttingDown: () => boolean;
}

/**
 * Mounts every RPC of the routes on Fastify, for the gRPC, gRPC-Web and
 * Connect protocols. Like @connectrpc/connect-fastify, plus one log line per
 * RPC, the correlation id, and INVALID_ARGUMENT for undecodable bodies.
 * Each RPC's path is routed for the methods connect-es serves, POST and GET
 * (Connect GET), and so HEAD; `rpcOtherMethodsHook` takes the others.
 */
export function connectPlugin(instance: FastifyInstance, opts: ConnectPluginOptions, done: (err?: Error) => void): void {
  // Connect reads the bodies itself; in this encapsulated scope no parser runs.
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser("*", (_req, _payload, next) => next(null, undefined));
  for (const handler of opts.handlers) {
    instance.route({ method: ["POST", "GET"], url: handler.requestPath, handler: createRouteHandler(handler, opts) });
  }
  done();
}

/**
 * An onRequest hook for the root scope: a request with one of the other
 * methods Fastify routes (PUT, DELETE, PATCH, OPTIONS, TRACE, QUERY) on an
 * RPC's path reaches connect-es too, which answers 405 Method Not Allowed,
 * as with connect-fastify. That one routes each path for each of Fastify's
 * methods; those routes were ~7 ms of the time to the first response on the
 * benchmark's VM. Other paths and methods are left to Fastify (404); CORS
 * preflights are answered by the CORS hook, which runs first.
 */
export function rpcOtherMethodsHook(opts: ConnectPluginOptions, methods: readonly string[]): onRequestHookHandler {
  const byPath = new Map(opts.handlers.map((handler) => [handler.requestPath, createRouteHandler(handler, opts)]));
  const others = new Set(methods.filter((m) => m !== "POST" && m !== "GET" && m !== "HEAD"));
  return (req, reply, done) => {
    const route = others.has(req.method) ? byPath.get(routedPath(req.url)) : undefined;
    if (!route) return done();
    reply.hijack();
    route(req, reply).catch((error: unknown) => reply.raw.destroy(error as Error));
  };
}

/**
 * The path of `url` as Fastify's router matches it: percent-encoded
 * characters decoded, but not an encoded `/` (`%2F` is not a separator).
 */
function routedPath(url: string): string {
  const path = url.split("?", 1)[0]!;
  if (!path.includes("%") || /%2f/i.test(path)) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function createRouteHandler(handler: UniversalHandler, opts: ConnectPluginOptions) {
  return async function handleRpc(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { universalRequestFromNodeRequest } = await loadConnectNode();
    const uReq = universalRequestFromNodeRequest(req.raw, reply.raw, undefined, createContextValues());
    const call = opts.observer.begin(handler, req.id, protocolHint(req.headers["content-type"], req.method), uReq.header);
    call.clientAddress = req.ip;
    uReq.contextValues!.set(rpcCallKey, call);
    try {
      const res = await reclassifyMalformedRequest(call, await opts.observer.run(call, () => handler(uReq)));
      for (const [key, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(key, value);
      }
      // An HTTP/1.1 connection is not reused when shutting down, nor when the
      // request body was refused unread (draining it could take forever).
      if (req.raw.httpVersionMajor === 1 && (opts.isShuttingDown() || !req.raw.complete)) {
        reply.raw.setHeader("connection", "close");
      }
      await writeUniversalResponse(res, reply.raw);
      opts.observer.end(handler, call, res);
    } catch (e) {
      opts.observer.abandon(handler, call, e);
    }
  };
}
