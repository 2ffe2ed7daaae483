import type { DescMessage, Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { compressionNegotiate, type MethodSerializationLookup } from "@connectrpc/connect/protocol";
import { rpcCallKey, type RpcCall } from "../rpc-call.ts";
import type { RpcHandlerOptions, UnaryRoute } from "../rpc-router.ts";
import { createCallContext } from "./call-context.ts";
import { createCallValues } from "./call-values.ts";
import type { DeadlineTimers } from "./deadline-timers.ts";
import { invokeUnary } from "./invoke-unary.ts";
import type { BodyInspector, ReadBody } from "./read-body.ts";
import type { UnaryAnswer, UnaryProtocol } from "./unary-protocols.ts";

/** The stock handlers' options, plus the service's default deadline and the timers deadlines run on. */
export type LaneOptions = RpcHandlerOptions & { readonly defaultDeadlineMs: number; readonly deadlines: DeadlineTimers };

/** One unary request, as the fast lane sees it once its headers are in. */
export interface UnaryRequest {
  readonly route: UnaryRoute;
  readonly serialization: MethodSerializationLookup<DescMessage, DescMessage>;
  readonly protocol: UnaryProtocol;
  readonly binary: boolean;
  readonly header: Headers;
  readonly url: string;
  readonly call: RpcCall;
  /** Lets the transport abort the call when the client goes away. */
  onAbort?(abort: (reason: ConnectError) => void): void;
  /** Reads the request body, watched by `inspect`. */
  readBody(inspect: BodyInspector): Promise<ReadBody>;
}

/** The answer, and whether the whole request body was read (else the connection cannot be reused as is). */
export interface UnaryOutcome extends UnaryAnswer {
  readonly bodyComplete: boolean;
}

/**
 * A body the client sent that cannot be decoded is the client's fault:
 * connect-es says INTERNAL, the service says INVALID_ARGUMENT (the stock
 * path re-labels the same way, in malformed-request.ts).
 */
function malformed(e: unknown, typeName: string): unknown {
  if (!(e instanceof ConnectError) || e.code !== Code.Internal) return e;
  return new ConnectError(`request body is not a valid ${typeName}: ${e.rawMessage}`, Code.InvalidArgument);
}

/**
 * Runs one unary call the way connect-es's handlers do — an equivalent handler
 * context, the same request gate, limits, compression negotiation, interceptors and
 * implementation, the same errors in the same order — without the
 * async-iterable pipeline: the body is read once, decoded once, and the
 * answer is built in one piece.
 */
export async function runUnaryCall(opt: LaneOptions, req: UnaryRequest): Promise<UnaryOutcome> {
  const { spec } = req.route;
  const { protocol, header } = req;
  const timeout = protocol.parseTimeout(header.get(protocol.timeoutHeader), opt.maxTimeoutMs);
  const initial = protocol.initialHeaders(req.binary);
  const context = createCallContext({
    method: spec.method,
    protocolName: protocol.name,
    url: req.url,
    timeoutMs: timeout.timeoutMs,
    defaultDeadlineMs: opt.defaultDeadlineMs,
    deadlines: opt.deadlines,
    requestHeader: header,
    responseHeader: initial.responseHeader,
    responseTrailer: initial.responseTrailer,
    values: createCallValues().set(rpcCallKey, req.call),
  });
  const compression = compressionNegotiate(
    opt.acceptCompression,
    header.get(protocol.encodingHeader),
    header.get(protocol.acceptEncodingHeader),
    protocol.acceptEncodingHeader,
  );
  req.onAbort?.((reason) => context.abort(reason));
  if (protocol.name !== "connect" && compression.response) context.responseHeader.set(protocol.encodingHeader, compression.response.name);
  let bodyComplete = false;
  let outcome: Uint8Array | ConnectError;
  try {
    // As in connect-es: the gate runs before the body is read, so a refused request is never read.
    // Awaited only when it returns a promise (it checks credentials); so is decoding (it decompresses).
    const gate = opt.requestGate?.(context);
    if (gate) await gate;
    if (compression.error) throw compression.error;
    if (timeout.error) throw timeout.error;
    protocol.precheck(header, opt);
    const body = await req.readBody(protocol.inspector(header, opt));
    bodyComplete = body.complete;
    let input: Message;
    try {
      const decoded = protocol.decode(body.bytes, body.complete, header, compression.request, opt, req.serialization.getI(req.binary).parse);
      input = decoded instanceof Promise ? await decoded : decoded;
    } catch (e) {
      throw malformed(e, spec.method.input.typeName);
    }
    const output = await invokeUnary(spec, context, input, opt.interceptors);
    outcome = req.serialization.getO(req.binary).serialize(output);
  } catch (e) {
    context.abort(e);
    outcome = e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
  } finally {
    context.end();
  }
  const answer = protocol.answer(context, outcome, compression.response, opt);
  const { status, header: responseHeader, trailer, body } = answer instanceof Promise ? await answer : answer;
  return { status, header: responseHeader, trailer, body, bodyComplete };
}
