import type http from "node:http";
import type { Readable } from "node:stream";
import http2 from "node:http2";
import type { DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  createAsyncIterable,
  createMethodSerializationLookup,
  type MethodSerializationLookup,
  type UniversalHandler,
  type UniversalServerRequest,
} from "@connectrpc/connect/protocol";
import { rpcCallKey } from "../rpc-call.ts";
import { requestIdOf } from "../../http/request-id.ts";
import { nodeHeaderView } from "../../http/light-headers.ts";
import type { ResponseBatch } from "../../http/response-batch.ts";
import type { RpcObserver } from "../rpc-observer.ts";
import type { RpcRoutes, UnaryRoute } from "../rpc-router.ts";
import { createDeadlineTimers } from "./deadline-timers.ts";
import { withCompiledWriters } from "./compiled-serialization.ts";
import { readBody, readHeldBody, readIterableBody } from "./read-body.ts";
import { runUnaryCall, type UnaryOutcome, type UnaryRequest } from "./unary-call.ts";
import { unaryProtocolOf, type UnaryProtocol } from "./unary-protocols.ts";

/** What the fast lane is built from. */
export interface FastLaneOptions {
  readonly routes: RpcRoutes;
  /** The same observer as the stock path: one log line, metrics and a span per RPC. */
  readonly observer: RpcObserver;
  /** Once true, every request takes the stock path (Fastify answers 503 and closes connections). */
  readonly isShuttingDown: () => boolean;
  /** Requests with an Origin header take the stock path, where the CORS hooks run. */
  readonly corsEnabled: boolean;
  /** The deadline of calls whose client set none (0: none), on the call's own timer. */
  readonly defaultDeadlineMs: number;
  /** HTTP/1.1 answers go out through it, together with the others of their event-loop turn (absent: at once). */
  readonly responseBatch?: ResponseBatch;
  /** Takes the REST requests the lane serves as calls (absent: REST is left to the stock path). */
  readonly rest?: (method: string | undefined, url: string | undefined, headers: http.IncomingHttpHeaders) => LaneCall | undefined;
}

/**
 * The unary fast lane: serves unary Connect, gRPC and gRPC-Web calls straight
 * from Node's HTTP/1.1 request and HTTP/2 stream, and declines (returns
 * false) everything else, which then takes the stock path (Fastify and the
 * connect-es handlers): streaming, GET, unknown paths and content types, CORS
 * requests, `Expect`, and anything during shutdown.
 */
export interface FastLane {
  /**
   * Serves an HTTP/2 stream, or returns false to leave it to the stock path.
   * The caller absorbs the stream's errors (a client's reset), as installFastLane does.
   */
  serveStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): boolean;
  /** Serves an HTTP/1.1 request, or returns false to leave it to the stock path. */
  serveHttp1(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /**
   * `handler`, with its unary calls run by the fast lane when they carry a
   * byte body and a content type the lane serves (the REST edge's Connect
   * JSON calls); anything else goes to `handler` itself.
   */
  wrap(handler: UniversalHandler): UniversalHandler;
}

interface Lane {
  readonly route: UnaryRoute;
  readonly serialization: MethodSerializationLookup<DescMessage, DescMessage>;
}

/** A request the lane takes: its RPC, protocol and encoding, and what its edge (RPC or REST) adds. */
export interface LaneCall extends Lane {
  readonly protocol: UnaryProtocol;
  readonly binary: boolean;
  /** The protocol as logged and counted ("rest" for REST calls). */
  readonly label: string;
  /** The request headers the RPC sees (absent: the client's own). */
  readonly header?: Headers;
  /** The request body, when the edge built it (absent: read from the client). */
  readonly body?: Buffer;
  /** The answer, when the request was refused before its RPC could start. */
  readonly answer?: UnaryOutcome;
  /** Turns the RPC's answer into the one the client gets. */
  readonly reshape?: (outcome: UnaryOutcome) => UnaryOutcome;
}

/** How the lane talks to one transport's request. */
interface Transport {
  /** Registers what to do if the connection or stream closes before the answer is written. */
  onClose(listener: () => void): void;
  /** Writes the answer; `done` says whether it was delivered (the `onClose` listener no longer runs). */
  write(requestId: string, outcome: UnaryOutcome, done: (error?: Error) => void): void;
  /** Gives up on the request after an unexpected failure. */
  fail(): void;
}

const ignore = () => {};
const canceled = () => new ConnectError("the client went away", Code.Canceled);

/** Creates the fast lane over the same routes, options and observer as the stock path. */
export function createFastLane(opts: FastLaneOptions): FastLane {
  const { observer, routes } = opts;
  const options = { ...routes.options, defaultDeadlineMs: opts.defaultDeadlineMs, deadlines: createDeadlineTimers() };
  const lanes = new Map<string, Lane>();
  for (const [path, route] of routes.unary) {
    const { method } = route.spec;
    const stock = createMethodSerializationLookup(method, routes.options.binaryOptions, routes.options.jsonOptions, routes.options);
    lanes.set(path, { route, serialization: withCompiledWriters(stock, method.output, routes.options) });
  }

  function select(method: string | undefined, path: string | undefined, headers: http.IncomingHttpHeaders): LaneCall | undefined {
    if (path === undefined || opts.isShuttingDown() || headers.expect !== undefined) return undefined;
    if (opts.corsEnabled && headers.origin !== undefined) return undefined;
    if (method !== "POST") return opts.rest?.(method, path, headers);
    const lane = lanes.get(path);
    const contentType = headers["content-type"];
    if (lane === undefined || contentType === undefined) return undefined;
    const type = unaryProtocolOf(contentType);
    return type && { ...lane, ...type, label: type.protocol.name };
  }

  /** Runs one call the lane took, over a transport: reads from `body`, answers through `io`. */
  function serve(type: LaneCall, headers: http.IncomingHttpHeaders, url: string, clientAddress: string | undefined, body: Readable, io: Transport) {
    const { route, serialization, reshape } = type;
    const header = type.header ?? nodeHeaderView(headers);
    const requestId = requestIdOf(headers["x-request-id"]);
    const call = observer.begin(route.handler, requestId, type.label, header);
    call.protocol = type.label;
    call.clientAddress = clientAddress;
    call.fastLane = true;
    let abortCall: ((reason: ConnectError) => void) | undefined;
    let bodyGone = ignore;
    let answered = false;
    io.onClose(() => {
      if (answered) return;
      bodyGone();
      abortCall?.(canceled());
    });
    const handler = route.handler;
    const request: UnaryRequest = {
      route,
      serialization,
      protocol: type.protocol,
      binary: type.binary,
      header,
      url,
      call,
      readBody: type.body ? (inspect) => readHeldBody(type.body!, inspect) : (inspect) => readBody(body, inspect, (gone) => (bodyGone = gone)),
      onAbort: (abort) => (abortCall = abort),
    };
    (type.answer ? Promise.resolve(type.answer) : observer.run(call, () => runUnaryCall(options, request)))
      .then((outcome) => {
        answered = true;
        // From here until the answer is delivered (on HTTP/2, most of a call's
        // life under load), nothing keeps the call's state alive: the summary
        // of its log line, metrics and span is taken now.
        abortCall = undefined;
        bodyGone = ignore;
        const answer = reshape ? reshape(outcome) : outcome;
        const delivered = observer.answered(handler, call, answer);
        try {
          io.write(requestId, answer, delivered);
        } catch (error) {
          delivered(error as Error); // the call is no longer the observer's to abandon
          io.fail();
        }
      })
      .catch((error: unknown) => {
        observer.abandon(handler, call, error);
        io.fail();
      });
  }

  return {
    wrap(handler) {
      const lane = lanes.get(handler.requestPath);
      if (lane === undefined) return handler;
      const fast = async (req: UniversalServerRequest) => {
        const call = req.contextValues?.get(rpcCallKey);
        const type = req.method === "POST" ? unaryProtocolOf(req.header.get("content-type") ?? "") : undefined;
        const body = req.body;
        if (call === undefined || type === undefined || typeof body !== "object" || body === null || !(Symbol.asyncIterator in body)) {
          return handler(req);
        }
        call.fastLane = true;
        const outcome = await runUnaryCall(options, {
          route: lane.route,
          serialization: lane.serialization,
          ...type,
          header: req.header,
          url: req.url,
          call,
          readBody: (inspect) => readIterableBody(body as AsyncIterable<Uint8Array>, inspect),
          onAbort: (abort) => req.signal.addEventListener("abort", () => abort(req.signal.reason), { once: true }),
        });
        return { status: outcome.status, header: outcome.header, trailer: outcome.trailer, body: createAsyncIterable([...outcome.body]) };
      };
      return Object.assign(fast, handler) as UniversalHandler;
    },

    serveStream(stream, headers) {
      const type = select(headers[":method"], headers[":path"], headers);
      const authority = headers[":authority"] ?? headers.host;
      if (type === undefined || authority === undefined) return false;
      // A REST call is bodyless only if its headers ended the stream.
      if (type.label === "rest" && !stream.endAfterHeaders) return false;
      const socket = stream.session?.socket;
      const scheme = socket && "encrypted" in socket && socket.encrypted ? "https" : "http";
      // A client's reset is read from the close (installFastLane absorbs the stream's errors).
      // One close listener does both jobs: before the answer, abort the call; after, settle its delivery.
      let onClose = ignore;
      stream.on("close", () => {
        const settle = onClose;
        onClose = ignore;
        settle();
      });
      serve(type, headers, `${scheme}://${authority}${headers[":path"]}`, socket?.remoteAddress, stream, {
        onClose: (listener) => (onClose = listener),
        write: (requestId, outcome, done) => {
          if (stream.destroyed || stream.closed) return done(notDelivered());
          onClose = () => (stream.rstCode === http2.constants.NGHTTP2_NO_ERROR ? done() : done(notDelivered()));
          writeHttp2(stream, requestId, outcome);
        },
        fail: () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR),
      });
      return true;
    },

    serveHttp1(req, res) {
      const type = select(req.method, req.url, req.headers);
      const authority = req.headers.host;
      if (type === undefined || authority === undefined) return false;
      const scheme = "encrypted" in req.socket && req.socket.encrypted ? "https" : "http";
      req.on("error", ignore);
      // A response emits close once it is finished or its connection is gone: one listener, as for HTTP/2.
      let onClose = ignore;
      res.on("close", () => onClose());
      serve(type, req.headers, `${scheme}://${authority}${req.url}`, req.socket.remoteAddress, req, {
        onClose: (listener) => (onClose = listener),
        write: (requestId, outcome, done) => {
          const write = () => {
            // A response whose connection is gone emits neither finish nor close any more.
            if (res.destroyed) return done(notDelivered());
            onClose = () => (res.writableFinished ? done() : done(notDelivered()));
            writeHttp1(res, requestId, outcome, opts.isShuttingDown() || !outcome.bodyComplete);
          };
          if (opts.responseBatch) opts.responseBatch.defer(write);
          else write();
        },
        fail: () => res.destroy(),
      });
      return true;
    },
  };
}

const notDelivered = () => new Error("the client closed the connection before the response was sent");

function writeHttp2(stream: http2.ServerHttp2Stream, requestId: string, outcome: UnaryOutcome): void {
  const head: http2.OutgoingHttpHeaders = { ":status": outcome.status, "x-request-id": requestId };
  outcome.header.forEach((value, name) => (head[name] = value));
  const { trailer, bodyComplete } = outcome;
  // Once our side is flushed, a stream whose body was left unread is reset
  // with NO_ERROR, as gRPC servers do (and as the stock path does).
  const closeUnread = () => {
    if (!bodyComplete) setImmediate(() => stream.close(http2.constants.NGHTTP2_NO_ERROR));
  };
  stream.respond(head, { waitForTrailers: trailer !== undefined });
  // Each fires once per stream: plain listeners, not once() wrappers.
  if (trailer) {
    // Taken now: until Node asks for them, only these few strings stay alive.
    const tail: http2.OutgoingHttpHeaders = {};
    trailer.forEach((value, name) => (tail[name] = value));
    stream.on("wantTrailers", () => {
      stream.sendTrailers(tail);
      closeUnread();
    });
  } else {
    stream.on("finish", closeUnread);
  }
  endWith(stream, outcome.body);
}

/** Writes `body` and ends the response, the last chunk going out with end(). */
function endWith(out: http.ServerResponse | http2.ServerHttp2Stream, body: readonly Uint8Array[]): void {
  const last = body.length - 1;
  for (let i = 0; i < last; i++) out.write(body[i]);
  if (last >= 0) out.end(body[last]);
  else out.end();
}

function writeHttp1(res: http.ServerResponse, requestId: string, outcome: UnaryOutcome, close: boolean): void {
  const head: Record<string, string> = { "x-request-id": requestId };
  outcome.header.forEach((value, name) => (head[name] = value));
  if (close) head.connection = "close";
  res.writeHead(outcome.status, head);
  endWith(res, outcome.body);
}
