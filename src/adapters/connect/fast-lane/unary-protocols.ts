import { Code, ConnectError } from "@connectrpc/connect";
import { encodeEnvelope, envelopeCompress, envelopeDecompress, mergeNonProtocolHeaders, type Compression } from "@connectrpc/connect/protocol";
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
  /** The request message from the whole body, refusing what connect-es refuses, in the same order. */
  decode<T>(body: Uint8Array, complete: boolean, header: Headers, compression: Compression | null, opt: RpcHandlerOptions, parse: (bytes: Uint8Array) => T): Promise<T>;
  /** The answer: the serialized output, or the error the call ended with. */
  answer(context: CallContext, outcome: Uint8Array | ConnectError, compression: Compression | null, opt: RpcHandlerOptions): Promise<UnaryAnswer>;
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
  async decode(body, _complete, header, compression, opt, parse) {
    const hint = lengthHint(header);
    if (hint !== undefined && body.byteLength < hint) {
      throw new ConnectError(`protocol error: promised ${hint} bytes, received ${body.byteLength}`, Code.InvalidArgument);
    }
    return parse(compression ? await compression.decompress(body, opt.readMaxBytes) : body);
  },
  async answer(context, outcome, compression, opt) {
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
    if (compression && body.byteLength >= opt.compressMinBytes) {
      body = await compression.compress(body);
      context.responseHeader.set(connect.headerUnaryEncoding, compression.name);
    }
    // Connect sends trailers as prefixed headers; without trailers, the header is the answer's as is.
    const header = hasAny(context.responseTrailer) ? connect.trailerMux(context.responseHeader, context.responseTrailer) : context.responseHeader;
    header.set(connect.headerUnaryContentLength, body.byteLength.toString(10));
    return { status, header, trailer: undefined, body: [body] };
  },
};

interface Envelope {
  flags: number;
  data: Uint8Array;
}

/**
 * The envelopes of a gRPC body, one by one, each decompressed, with
 * transformSplitEnvelope's and ensureSingle's refusals.
 */
async function decodeSingleEnvelope<T>(
  body: Uint8Array,
  complete: boolean,
  skipFlag: number | undefined,
  compression: Compression | null,
  opt: RpcHandlerOptions,
  parse: (bytes: Uint8Array) => T,
): Promise<T> {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let offset = 0;
  const nextMessage = async (): Promise<T | undefined> => {
    while (offset + 5 <= body.byteLength) {
      const length = view.getUint32(offset + 1);
      if (length > opt.readMaxBytes) throw tooLarge(opt.readMaxBytes, length);
      if (offset + 5 + length > body.byteLength) break;
      const env: Envelope = { flags: view.getUint8(offset), data: body.subarray(offset + 5, offset + 5 + length) };
      offset += 5 + length;
      const { flags, data } = await envelopeDecompress(env, compression, opt.readMaxBytes);
      if (skipFlag !== undefined && (flags & skipFlag) === skipFlag) continue;
      return parse(data);
    }
    if (complete && offset < body.byteLength) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
    return undefined;
  };
  const first = await nextMessage();
  if (first === undefined) throw new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented);
  if ((await nextMessage()) !== undefined) {
    throw new ConnectError("protocol error: received extra input message for unary method", Code.Unimplemented);
  }
  return first;
}

async function envelopeBytes(flags: number, data: Uint8Array, compression: Compression | null, opt: RpcHandlerOptions): Promise<Uint8Array> {
  const env = await envelopeCompress({ flags, data }, compression, opt.compressMinBytes);
  return encodeEnvelope(env.flags, env.data);
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
  async (context, outcome, compression, opt) => {
    let body: Uint8Array[] = [];
    if (outcome instanceof ConnectError) grpc.setTrailerStatus(context.responseTrailer, outcome);
    else body = [await envelopeBytes(0, outcome, compression, opt)];
    return { status: 200, header: context.responseHeader, trailer: context.responseTrailer, body };
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
  async (context, outcome, compression, opt) => {
    const body: Uint8Array[] = [];
    if (outcome instanceof ConnectError) grpc.setTrailerStatus(context.responseTrailer, outcome);
    else body.push(await envelopeBytes(0, outcome, compression, opt));
    body.push(await envelopeBytes(grpcWeb.trailerFlag, webTrailer.serialize(context.responseTrailer), compression, opt));
    return { status: 200, header: context.responseHeader, trailer: undefined, body };
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
