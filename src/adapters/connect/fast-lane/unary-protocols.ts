import { Code, ConnectError } from "@connectrpc/connect";
import { envelopeCompress, envelopeDecompress, mergeNonProtocolHeaders, type Compression } from "@connectrpc/connect/protocol";
import * as connect from "@connectrpc/connect/protocol-connect";
import * as grpc from "@connectrpc/connect/protocol-grpc";
import * as grpcWeb from "@connectrpc/connect/protocol-grpc-web";
import type { RpcHandlerOptions } from "../rpc-router.ts";
import type { CallContext } from "./call-context.ts";
import { envelopeInspector, unaryBodyInspector, tooLarge, type BodyInspector } from "./read-body.ts";

/** The answer to a unary call, ready to write. */
export interface UnaryAnswer {
  readonly status: number;
  readonly header: Headers;
  /** HTTP trailers (gRPC over HTTP/2 only). */
  readonly trailer: Headers | undefined;
  readonly body: readonly Uint8Array[];
}

/**
 * What differs between the Connect, gRPC and gRPC-Web protocols for a unary
 * call: content types, header names, body framing, and how an answer or an
 * error is written. Every rule is connect-es's own, through its exported
 * protocol helpers.
 */
export interface UnaryProtocol {
  readonly name: "connect" | "grpc" | "grpc-web";
  /** Whether `contentType` is a unary request of this protocol, binary or JSON (undefined: not ours). */
  parseContentType(contentType: string): { binary: boolean } | undefined;
  readonly timeoutHeader: string;
  parseTimeout(value: string | null, maxTimeoutMs: number): { timeoutMs?: number; error?: ConnectError };
  readonly encodingHeader: string;
  readonly acceptEncodingHeader: string;
  /** The response header and trailer a call starts with. */
  initialHeaders(binary: boolean): { responseHeader: Record<string, string>; responseTrailer?: Record<string, string> };
  /** Checks, before the body is read, what the headers already tell (an over-limit Content-Length). */
  precheck(header: Headers, opt: RpcHandlerOptions): void;
  /** Watches the body while it is read. */
  inspector(header: Headers, opt: RpcHandlerOptions): BodyInspector;
  /** The request message from the whole body, refusing what connect-es refuses, in the same order (a promise only when decompressing). */
  decode<T>(body: Uint8Array, complete: boolean, header: Headers, compression: Compression | null, opt: RpcHandlerOptions, parse: (bytes: Uint8Array) => T): T | Promise<T>;
  /** The answer: the serialized output, or the error the call ended with (a promise only when compressing). */
  answer(context: CallContext, outcome: Uint8Array | ConnectError, compression: Compression | null, opt: RpcHandlerOptions): UnaryAnswer | Promise<UnaryAnswer>;
}

/** `f(value)`, once `value` is there: at once, unless it is a promise. */
function andThen<A, B>(value: A | Promise<A>, f: (a: A) => B | Promise<B>): B | Promise<B> {
  return value instanceof Promise ? value.then(f) : f(value);
}

function lengthHint(header: Headers): number | undefined {
  const value = header.get("content-length");
  if (value === null) return undefined;
  const n = parseInt(value, 10);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

const hasAny = (header: Headers) => !header.keys().next().done;

const connectProtocol: UnaryProtocol = {
  name: "connect",
  parseContentType(contentType) {
    const type = connect.parseContentType(contentType);
    return type && !type.stream ? { binary: type.binary } : undefined;
  },
  timeoutHeader: connect.headerTimeout,
  parseTimeout: connect.parseTimeout,
  encodingHeader: connect.headerUnaryEncoding,
  acceptEncodingHeader: connect.headerUnaryAcceptEncoding,
  initialHeaders: (binary) => ({ responseHeader: { "content-type": binary ? connect.contentTypeUnaryProto : connect.contentTypeUnaryJson } }),
  precheck(header, opt) {
    const hint = lengthHint(header);
    if (hint !== undefined && hint > opt.readMaxBytes) throw tooLarge(opt.readMaxBytes, hint);
  },
  inspector: (header, opt) => unaryBodyInspector(opt.readMaxBytes, lengthHint(header)),
  decode(body, _complete, header, compression, opt, parse) {
    const hint = lengthHint(header);
    if (hint !== undefined && body.byteLength < hint) {
      throw new ConnectError(`protocol error: promised ${hint} bytes, received ${body.byteLength}`, Code.InvalidArgument);
    }
    return compression ? compression.decompress(body, opt.readMaxBytes).then(parse) : parse(body);
  },
  answer(context, outcome, compression, opt) {
    let status = 200;
    let body: Uint8Array;
    if (outcome instanceof ConnectError) {
      status = connect.codeToHttpStatus(outcome.code);
      context.responseHeader.set("content-type", connect.contentTypeUnaryJson);
      if (!outcome.isWireError) mergeNonProtocolHeaders(context.responseHeader, outcome.metadata);
      body = connect.errorToJsonBytes(outcome, opt.jsonOptions);
    } else {
      body = outcome;
    }
    const answer = (bytes: Uint8Array): UnaryAnswer => {
      // Connect sends trailers as prefixed headers; without trailers, the header is the answer's as is.
      const header = hasAny(context.responseTrailer) ? connect.trailerMux(context.responseHeader, context.responseTrailer) : context.responseHeader;
      header.set(connect.headerUnaryContentLength, bytes.byteLength.toString(10));
      return { status, header, trailer: undefined, body: [bytes] };
    };
    if (!compression || body.byteLength < opt.compressMinBytes) return answer(body);
    return compression.compress(body).then((compressed) => {
      context.responseHeader.set(connect.headerUnaryEncoding, compression.name);
      return answer(compressed);
    });
  },
};

const compressedFlag = 0b00000001;

/**
 * The one message of a gRPC body, with transformSplitEnvelope's and
 * ensureSingle's refusals in their order: every envelope is checked and
 * decompressed as it comes, a second message is decoded before it is refused,
 * and envelopes flagged with `skipFlag` (gRPC-Web trailers) are not messages.
 * A promise only when an envelope is compressed.
 */
function decodeSingleEnvelope<T>(
  body: Uint8Array,
  complete: boolean,
  skipFlag: number | undefined,
  compression: Compression | null,
  opt: RpcHandlerOptions,
  parse: (bytes: Uint8Array) => T,
  from = 0,
  first?: { message: T },
): T | Promise<T> {
  let offset = from;
  while (offset + 5 <= body.byteLength) {
    const length = body[offset + 1]! * 0x1000000 + ((body[offset + 2]! << 16) | (body[offset + 3]! << 8) | body[offset + 4]!);
    if (length > opt.readMaxBytes) throw tooLarge(opt.readMaxBytes, length);
    if (offset + 5 + length > body.byteLength) break;
    const flags = body[offset]!;
    const data = body.subarray(offset + 5, offset + 5 + length);
    offset += 5 + length;
    if ((flags & compressedFlag) === compressedFlag) {
      // The rest goes on once this envelope is decompressed.
      return envelopeDecompress({ flags, data }, compression, opt.readMaxBytes).then((env) => {
        const found = takeMessage(env.flags, env.data, skipFlag, parse, first);
        return decodeSingleEnvelope(body, complete, skipFlag, compression, opt, parse, offset, found);
      });
    }
    first = takeMessage(flags, data, skipFlag, parse, first);
  }
  if (complete && offset < body.byteLength) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  if (first === undefined) throw new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented);
  return first.message;
}

/** The first message once an envelope is read: this one's if it is the first; a second one is decoded, then refused. */
function takeMessage<T>(flags: number, data: Uint8Array, skipFlag: number | undefined, parse: (bytes: Uint8Array) => T, first: { message: T } | undefined) {
  if (skipFlag !== undefined && (flags & skipFlag) === skipFlag) return first;
  const message = parse(data);
  if (first !== undefined) throw new ConnectError("protocol error: received extra input message for unary method", Code.Unimplemented);
  return { message };
}

/** One envelope (a pooled buffer, not a Uint8Array of its own), compressed when the negotiated compression applies. */
function envelopeBytes(flags: number, data: Uint8Array, compression: Compression | null, opt: RpcHandlerOptions): Uint8Array | Promise<Uint8Array> {
  if (compression && data.byteLength >= opt.compressMinBytes) {
    return envelopeCompress({ flags, data }, compression, opt.compressMinBytes).then((env) => frame(env.flags, env.data));
  }
  return frame(flags, data);
}

/** A gRPC envelope: flags, big-endian length, data. */
function frame(flags: number, data: Uint8Array): Uint8Array {
  const bytes = Buffer.allocUnsafe(data.byteLength + 5);
  bytes[0] = flags;
  bytes.writeUInt32BE(data.byteLength, 1);
  bytes.set(data, 5);
  return bytes;
}

function grpcFamily(
  name: "grpc" | "grpc-web",
  parseContentType: (contentType: string) => { binary: boolean } | undefined,
  contentTypes: { proto: string; json: string },
  skipFlag: number | undefined,
  answer: UnaryProtocol["answer"],
): UnaryProtocol {
  return {
    name,
    parseContentType,
    timeoutHeader: grpc.headerTimeout,
    parseTimeout: grpc.parseTimeout,
    encodingHeader: grpc.headerEncoding,
    acceptEncodingHeader: grpc.headerAcceptEncoding,
    initialHeaders: (binary) => ({
      responseHeader: { "content-type": binary ? contentTypes.proto : contentTypes.json },
      responseTrailer: { [grpc.headerGrpcStatus]: grpc.grpcStatusOk },
    }),
    precheck() {},
    inspector: (_header, opt) => envelopeInspector(opt.readMaxBytes, skipFlag),
    decode: (body, complete, _header, compression, opt, parse) => decodeSingleEnvelope(body, complete, skipFlag, compression, opt, parse),
    answer,
  };
}

const grpcProtocol = grpcFamily(
  "grpc",
  (contentType) => grpc.parseContentType(contentType),
  { proto: grpc.contentTypeProto, json: grpc.contentTypeJson },
  undefined,
  (context, outcome, compression, opt) => {
    const answer = (body: Uint8Array[]) => ({ status: 200, header: context.responseHeader, trailer: context.responseTrailer, body });
    if (outcome instanceof ConnectError) {
      grpc.setTrailerStatus(context.responseTrailer, outcome);
      return answer([]);
    }
    return andThen(envelopeBytes(0, outcome, compression, opt), (bytes) => answer([bytes]));
  },
);

const webTrailer = grpcWeb.createTrailerSerialization();

const grpcWebProtocol = grpcFamily(
  "grpc-web",
  (contentType) => {
    const type = grpcWeb.parseContentType(contentType);
    return type && !type.text ? { binary: type.binary } : undefined;
  },
  { proto: grpcWeb.contentTypeProto, json: grpcWeb.contentTypeJson },
  grpcWeb.trailerFlag,
  (context, outcome, compression, opt) => {
    const answer = (body: Uint8Array[]) => ({ status: 200, header: context.responseHeader, trailer: undefined, body });
    // The trailer is serialized once the message is framed, as connect-es does.
    const withTrailer = (body: Uint8Array[]) =>
      andThen(envelopeBytes(grpcWeb.trailerFlag, webTrailer.serialize(context.responseTrailer), compression, opt), (trailer) => answer([...body, trailer]));
    if (outcome instanceof ConnectError) {
      grpc.setTrailerStatus(context.responseTrailer, outcome);
      return withTrailer([]);
    }
    return andThen(envelopeBytes(0, outcome, compression, opt), (bytes) => withTrailer([bytes]));
  },
);

/** The three protocols, in the order a content type is matched against them. */
export const unaryProtocols: readonly UnaryProtocol[] = [grpcProtocol, grpcWebProtocol, connectProtocol];

/** The protocol and encoding of a unary request's content type (undefined: not one the fast lane serves). */
export function unaryProtocolOf(contentType: string): { protocol: UnaryProtocol; binary: boolean } | undefined {
  for (const protocol of unaryProtocols) {
    const type = protocol.parseContentType(contentType);
    if (type) return { protocol, binary: type.binary };
  }
  return undefined;
}
