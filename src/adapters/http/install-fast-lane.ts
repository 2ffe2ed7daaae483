import type http from "node:http";
import type http2 from "node:http2";
import type { FastLane } from "../connect/fast-lane/fast-lane.ts";

type AnyServer = http.Server | http2.Http2Server | http2.Http2SecureServer;
type Listener = (...args: unknown[]) => void;
const ignore = () => {};

/**
 * Puts the fast lane in front of a server's own listeners: each HTTP/2
 * stream and each HTTP/1.1 request is offered to the lane first, and reaches
 * the listeners already installed (Node's HTTP/2 compatibility layer,
 * Fastify) only when the lane declines it.
 */
export function installFastLane(server: AnyServer, lane: FastLane): void {
  const onStream = server.listeners("stream") as Listener[];
  if (onStream.length > 0) {
    server.removeAllListeners("stream");
    // Streams are served a moment later, once the frames read with them are
    // processed: a stream the client reset at once (HTTP/2 rapid reset) is
    // dropped then, before anything is built for it. The streams that arrive
    // in one turn of the event loop wait together, behind one setImmediate.
    let waiting: Array<[http2.ServerHttp2Stream, http2.IncomingHttpHeaders, unknown[]]> = [];
    const serveWaiting = () => {
      const batch = waiting;
      waiting = [];
      for (const [stream, headers, rest] of batch) {
        if (stream.destroyed || stream.closed) continue;
        if (lane.serveStream(stream, headers)) continue;
        for (const listener of onStream) listener.call(server, stream, headers, ...rest);
      }
    };
    server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ...rest: unknown[]) => {
      // A client's reset surfaces as a stream error: absorbed for the stream's whole life (the lane reads it from the close).
      stream.on("error", ignore);
      if (waiting.push([stream, headers, rest]) === 1) setImmediate(serveWaiting);
    });
  }
  const onRequest = server.listeners("request") as Listener[];
  if (onRequest.length > 0) {
    server.removeAllListeners("request");
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      // HTTP/2 requests arriving here come from the compatibility layer: the lane declined them already.
      if (req.httpVersionMajor === 1 && lane.serveHttp1(req, res)) return;
      for (const listener of onRequest) listener.call(server, req, res);
    });
  }
}
