import type http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { FastLane } from "../connect/fast-lane/fast-lane.ts";
import { installFastLane } from "./install-fast-lane.ts";
import { openSessionsOf } from "./open-sessions.ts";
import type { StreamMapRenewal } from "./stream-map-renewal.ts";

// Not `import http from "node:http"`: building that module's ESM namespace
// reads its lazy WebSocket getter, which loads undici (~40 ms of start-up)
// for nothing.
const { createServer: createHttp1Server } = process.getBuiltinModule("node:http");

/** The HTTP/2 connection preface every prior-knowledge (h2c) client sends first. */
const h2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** Limits of the one-port server; Fastify does not apply its own to a server it did not create. */
export interface OnePortLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** HTTP/2 sessions idle longer than this are closed. */
  readonly http2IdleTimeoutMs: number;
  /** A new connection must show its protocol within this time. */
  readonly sniffTimeoutMs: number;
  readonly maxHeaderBytes: number;
  readonly maxConcurrentStreams: number;
}

/** What the one-port server puts in front of, or beside, Fastify's handler. */
export interface OnePortExtras {
  /** The unary fast lane, offered each request first. */
  readonly lane?: FastLane | undefined;
  /** Renews the HTTP/2 sessions' stream maps after full collections. */
  readonly renewal?: StreamMapRenewal | undefined;
}

type Handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => void;

/**
 * Returns a Fastify `serverFactory` that serves HTTP/1.1 and h2c (HTTP/2 with
 * prior knowledge) on one port: a `net.Server` front reads the first bytes of
 * each connection and hands the socket to an inner `http` or `http2` server,
 * both running Fastify's handler, behind the unary fast lane when one is given.
 */
export function createOnePortServerFactory(limits: OnePortLimits, { lane, renewal }: OnePortExtras = {}) {
  return function serverFactory(handler: Handler): http.Server {
    const h1 = createHttp1Server(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        maxHeaderSize: limits.maxHeaderBytes,
        connectionsCheckingInterval: Math.min(limits.headersTimeoutMs, 1000),
      },
      handler as http.RequestListener,
    );
    const h2 = http2.createServer(
      {
        maxHeaderListPairs: 128,
        maxSessionInvalidFrames: 100,
        maxSessionRejectedStreams: 100,
        settings: { maxConcurrentStreams: limits.maxConcurrentStreams, maxHeaderListSize: limits.maxHeaderBytes },
      },
      handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
    );
    h2.setTimeout(limits.http2IdleTimeoutMs);
    const sessions = openSessionsOf(h2);
    renewal?.track(sessions);
    if (lane) {
      installFastLane(h1, lane);
      installFastLane(h2, lane);
    }

    const front = net.createServer({ noDelay: true }, (socket) => sniff(socket, h1, h2, limits.sniffTimeoutMs));
    // The inner HTTP/1.1 server never listens itself: this starts its
    // connection tracking, which enforces headersTimeout/requestTimeout.
    front.on("listening", () => h1.emit("listening"));
    const closeFront = front.close.bind(front);
    return Object.assign(front, {
      close(callback?: (err?: Error) => void) {
        closeFront(callback);
        h1.close();
        h2.close();
        return front;
      },
      closeIdleConnections: () => h1.closeIdleConnections(),
      closeAllConnections() {
        h1.closeAllConnections();
        for (const session of sessions) session.destroy();
      },
    }) as unknown as http.Server;
  };
}

function sniff(socket: net.Socket, h1: http.Server, h2: http2.Http2Server, timeoutMs: number): void {
  socket.on("error", () => socket.destroy());
  socket.setTimeout(timeoutMs, () => socket.destroy());
  let seen: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, h2Preface.length);
    const looksLikeH2 = h2Preface.compare(seen, 0, n, 0, n) === 0;
    if (looksLikeH2 && seen.length < h2Preface.length) return;
    socket.off("data", onData);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(seen);
    if (looksLikeH2) {
      h2.emit("connection", socket);
    } else {
      h1.emit("connection", socket);
      socket.resume();
    }
  };
  socket.on("data", onData);
}
