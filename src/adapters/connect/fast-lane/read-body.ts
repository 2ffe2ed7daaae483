import type { Readable } from "node:stream";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Watches a request body as it arrives: returns an error to stop reading
 * (the rest stays unread), "done" once enough was read, or undefined to go on.
 */
export type BodyInspector = (chunks: readonly Buffer[], total: number) => ConnectError | "done" | undefined;

/** A request body read so far: its bytes, and whether the client finished sending it. */
export interface ReadBody {
  readonly bytes: Buffer;
  readonly complete: boolean;
}

const gone = () => new ConnectError("the client closed the request before sending all of it", Code.Canceled);

/** Joins chunks without a copy when there is only one. */
export function joinChunks(chunks: readonly Buffer[], total: number): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as Buffer[], total);
}

/**
 * Reads a request body from a Node stream (an HTTP/1.1 request or an HTTP/2
 * stream), letting `inspect` refuse it as soon as a limit is crossed, the way
 * connect-es's readers do, but without an async iterator per request.
 * `onGone` hands over what to call when the exchange closes first (a reset,
 * the connection gone; a request's errors and aborts end there too): a body
 * not read through by then is refused as CANCELED. The transport listens for
 * that close anyway (the HTTP/2 stream's, the HTTP/1.1 response's, which
 * Node also closes for a pipelined response still waiting for the socket),
 * so the reader adds no listeners for it.
 */
export function readBody(source: Readable, inspect: BodyInspector, onGone: (listener: () => void) => void): Promise<ReadBody> {
  if (source.readableEnded) return Promise.resolve({ bytes: Buffer.alloc(0), complete: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const stop = () => {
      settled = true;
      source.off("data", onData);
      source.off("end", onEnd);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.byteLength;
      const verdict = inspect(chunks, total);
      if (verdict === undefined) return;
      stop();
      source.pause();
      if (verdict === "done") resolve({ bytes: joinChunks(chunks, total), complete: false });
      else reject(verdict);
    };
    const onEnd = () => {
      stop();
      resolve({ bytes: joinChunks(chunks, total), complete: true });
    };
    // Plain listeners, not once(): each handler removes both first (once() would wrap each, per request).
    source.on("data", onData);
    source.on("end", onEnd);
    onGone(() => {
      if (settled) return;
      stop();
      reject(gone());
    });
  });
}

/** Reads a body given as an async iterable (a universal request's), with the same checks as {@link readBody}. */
export async function readIterableBody(source: AsyncIterable<Uint8Array>, inspect: BodyInspector): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of source) {
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    chunks.push(buffer);
    total += buffer.byteLength;
    const verdict = inspect(chunks, total);
    if (verdict === "done") return { bytes: joinChunks(chunks, total), complete: false };
    if (verdict !== undefined) throw verdict;
  }
  return { bytes: joinChunks(chunks, total), complete: true };
}

/** A body already in memory (a REST call's request, built from its URL), with the same checks as {@link readBody}. */
export function readHeldBody(bytes: Buffer, inspect: BodyInspector): Promise<ReadBody> {
  const verdict = inspect([bytes], bytes.byteLength);
  if (verdict === "done") return Promise.resolve({ bytes, complete: false });
  return verdict === undefined ? Promise.resolve({ bytes, complete: true }) : Promise.reject(verdict);
}

/** The `readMaxBytes` refusal, worded as connect-es words it. */
export function tooLarge(readMaxBytes: number, size?: number): ConnectError {
  return new ConnectError(
    size === undefined
      ? `message size is larger than configured readMaxBytes ${readMaxBytes}`
      : `message size ${size} is larger than configured readMaxBytes ${readMaxBytes}`,
    Code.ResourceExhausted,
  );
}

/**
 * A Connect unary body: at most `readMaxBytes`, and exactly the promised
 * Content-Length when one is given (connect-es's readAllBytes rules).
 */
export function unaryBodyInspector(readMaxBytes: number, hint: number | undefined): BodyInspector {
  return (_chunks, total) => {
    if (hint !== undefined) {
      return total > hint ? new ConnectError(`protocol error: promised ${hint} bytes, received ${total}`, Code.InvalidArgument) : undefined;
    }
    return total > readMaxBytes ? tooLarge(readMaxBytes) : undefined;
  };
}

/** The big-endian unsigned integer of `size` bytes at `offset` of the bytes spread over `chunks`. */
function uintAt(chunks: readonly Buffer[], offset: number, size: number): number {
  let value = 0;
  let index = 0;
  let start = 0;
  for (let i = 0; i < size; i++) {
    while (offset + i >= start + chunks[index]!.byteLength) start += chunks[index++]!.byteLength;
    value = value * 256 + chunks[index]![offset + i - start]!;
  }
  return value;
}

/**
 * A gRPC / gRPC-Web body: a sequence of envelopes, each at most
 * `readMaxBytes`. Reading stops once two message envelopes are in (a unary
 * call takes one; the second is enough to refuse it); envelopes flagged with
 * `skipFlag` (gRPC-Web trailers) are not messages.
 */
export function envelopeInspector(readMaxBytes: number, skipFlag?: number): BodyInspector {
  let next = 0; // offset of the next envelope header
  let seen = 0; // complete envelopes
  return (chunks, total) => {
    while (total >= next + 5) {
      const length = uintAt(chunks, next + 1, 4);
      if (length > readMaxBytes) return tooLarge(readMaxBytes, length);
      if (total < next + 5 + length) return undefined;
      const flags = uintAt(chunks, next, 1);
      next += 5 + length;
      if (skipFlag === undefined || (flags & skipFlag) !== skipFlag) seen += 1;
      if (seen === 2) return "done";
    }
    return undefined;
  };
}
