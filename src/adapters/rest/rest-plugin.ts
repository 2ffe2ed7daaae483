import type { JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import { createAsyncIterable, readAllBytes, type UniversalHandler, type UniversalServerResponse } from "@connectrpc/connect/protocol";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { rpcCallKey, type RpcCall } from "../connect/rpc-call.ts";
import type { RpcObserver } from "../connect/rpc-observer.ts";
import { bindVariables } from "./path-template.ts";
import { buildRequestJson } from "./rest-request.ts";
import { restAnswerHeaders, restBodyOf, restRefusal, restRoutesOf, rpcHeadersOf, type RestRoute } from "./rest-routes.ts";
import { nodeHeaderView } from "../http/light-headers.ts";
import type { ResponseBatch } from "../http/response-batch.ts";

/** Options of the REST edge. */
export interface RestPluginOptions {
  /** The same universal handlers the Connect routes serve. */
  readonly handlers: readonly UniversalHandler[];
  readonly logger: Logger;
  /** Logs, counts and times every RPC (the same observer as the Connect routes). */
  readonly observer: RpcObserver;
  /** Largest accepted JSON body, in bytes. */
  readonly bodyLimit: number;
  readonly isShuttingDown: () => boolean;
  /** Answers are written with the others finished in the same event-loop turn (absent: at once). */
  readonly responseBatch?: ResponseBatch;
}

const jsonError = (error: ConnectError): UniversalServerResponse => {
  const { status, header, body } = restRefusal(error);
  return { status, header, body: createAsyncIterable([body]) };
};

/**
 * Registers a Fastify route for every `google.api.http` binding of every RPC
 * and runs each call through the RPC's own Connect handler (same interceptors,
 * validation, errors and logs) as Connect JSON. Adding an annotated RPC to
 * the proto needs no change here.
 */
export function restPlugin(instance: FastifyInstance, opts: RestPluginOptions, done: (err?: Error) => void): void {
  // JSON only, with prototype-poisoning keys refused.
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser("application/json", { parseAs: "string" }, instance.getDefaultJsonParser("error", "error"));
  instance.setErrorHandler((err: FastifyError, req, reply) => {
    // Fastify refuses bodies before a handler runs: answer in the same JSON error form.
    const code = err.statusCode === 413 ? Code.ResourceExhausted : Code.InvalidArgument;
    const message = err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ? "content-type must be application/json" : err.message;
    const status = err.statusCode === 415 ? 415 : codeToHttpStatus(code);
    opts.logger.info({ requestId: req.id, protocol: "rest", route: req.routeOptions.url, httpStatus: status }, "rest request refused");
    return reply.status(status).type("application/json").send(Buffer.from(errorToJsonBytes(new ConnectError(message, code), {})));
  });
  for (const route of restRoutesOf(opts.handlers)) {
    instance.route({
      method: route.binding.verb,
      url: route.binding.template.fastifyPath,
      bodyLimit: opts.bodyLimit,
      handler: createRestHandler(route, opts),
    });
  }
  done();
}

function createRestHandler(route: RestRoute, opts: RestPluginOptions) {
  const { handler, binding } = route;
  return async function handleRest(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const incoming = nodeHeaderView(req.headers);
    const call: RpcCall = opts.observer.begin(handler, req.id, "rest", incoming);
    call.protocol = "rest";
    call.clientAddress = req.ip;
    let res: UniversalServerResponse;
    try {
      const json = buildRequestJson(handler.method.input, binding.body, {
        pathValues: bindVariables(binding.template, req.params as Record<string, string>),
        query: req.query as Record<string, string | string[]>,
        body: req.body,
      });
      const header = rpcHeadersOf(req.headers);
      const abort = new AbortController();
      reply.raw.once("close", () => {
        // Only a client gone before the answer was sent cancels the call (not every close).
        if (!reply.raw.writableFinished) abort.abort(new ConnectError("the client went away", Code.Canceled));
      });
      res = await opts.observer.run(call, () => handler({
        httpVersion: req.raw.httpVersion,
        method: "POST",
        url: `http://rest${handler.requestPath}`,
        header,
        body: createAsyncIterable([new TextEncoder().encode(JSON.stringify(json))]),
        signal: abort.signal,
        contextValues: createContextValues().set(rpcCallKey, call),
      }));
    } catch (e) {
      res = jsonError(ConnectError.from(e, Code.InvalidArgument));
    }
    const bytes = res.body ? await readAllBytes(res.body as AsyncIterable<Uint8Array>, Number.MAX_SAFE_INTEGER) : new Uint8Array();
    let payload: Uint8Array | string = bytes;
    if (res.status === 200 && route.responseField) payload = restBodyOf(route, JSON.parse(new TextDecoder().decode(bytes)) as JsonObject);
    await opts.responseBatch?.turn();
    if (req.raw.httpVersionMajor === 1 && opts.isShuttingDown()) reply.header("connection", "close");
    await reply.status(res.status).headers(restAnswerHeaders(route, res.status, new Headers(res.header))).send(payload);
    opts.observer.end(handler, call, res);
  };
}
