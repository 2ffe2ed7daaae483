import type http from "node:http";
import http2 from "node:http2";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";

type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

const toNodeHeaders = (init: UniversalServerResponse["header"]): Record<string, string> =>
  Object.fromEntries(new Headers(init).entries());

const notDelivered = () => new Error("the client closed the connection before the response was sent");

/** A response whose connection is gone emits neither drain, finish nor close any more: waiting for them would hang. */
function throwIfGone(node: NodeResponse): void {
  const gone = "stream" in node ? node.stream.destroyed : node.destroyed;
  if (gone) throw notDelivered();
}

/**
 * Writes a Connect universal response to a Node response and resolves once it
 * is fully sent (rejects if the client went away first). Headers go out after
 * the first body chunk is ready, so an implementation may still set them.
 * Unlike connect-node's writer, it settles on `finish` (or `close`), so the
 * caller can log the outcome of every request.
 */
export async function writeUniversalResponse(res: UniversalServerResponse, node: NodeResponse): Promise<void> {
  const it = res.body?.[Symbol.asyncIterator]();
  try {
    let chunk = it ? await it.next() : ({ done: true, value: undefined } as const);
    (node as http.ServerResponse).writeHead(res.status, toNodeHeaders(res.header));
    while (chunk.done !== true) {
      if (!(node as http.ServerResponse).write(chunk.value)) {
        throwIfGone(node);
        await new Promise((resolve) => {
          node.once("drain", resolve);
          node.once("close", resolve);
        });
      }
      chunk = await it!.next();
    }
    if (res.trailer) node.addTrailers(toNodeHeaders(res.trailer));
    throwIfGone(node);
    await new Promise<void>((resolve, reject) => {
      const onClose = () => reject(notDelivered());
      node.once("close", onClose);
      node.once("finish", () => {
        node.off("close", onClose);
        resolve();
      });
      node.end();
      // HTTP/2 emits `finish` only once the stream closes. A stream whose
      // request body was refused unread would stay half-open: once our side
      // is flushed, reset it with NO_ERROR as gRPC servers do.
      if ("stream" in node && !node.req.complete) {
        const reset = () => setImmediate(() => node.stream.close(http2.constants.NGHTTP2_NO_ERROR));
        if (res.trailer) node.stream.once("wantTrailers", reset);
        else node.stream.once("finish", reset);
      }
    });
  } catch (e) {
    await it?.throw?.(e).catch(() => undefined);
    throw e;
  } finally {
    await it?.return?.().catch(() => undefined);
  }
}
