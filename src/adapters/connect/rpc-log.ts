import { Code, ConnectError } from "@connectrpc/connect";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";
import { codeFromHttpStatus, codeToHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "pino";
import type { RpcCall } from "./rpc-call.ts";

/** The outcome of an RPC as the client saw it. */
function codeOf(call: RpcCall, res: Pick<UniversalServerResponse, "status" | "header">): Code | 0 {
  const ctx = call.context;
  if (ctx && ctx.protocolName !== "connect") {
    return Number(ctx.responseTrailer.get("grpc-status") ?? Code.Unknown) as Code | 0;
  }
  if (res.status === 200) return 0;
  // The error Connect answered with, unless the answer was re-labelled since (malformed bodies).
  const reason: unknown = ctx?.signal.reason;
  if (reason instanceof ConnectError && codeToHttpStatus(reason.code) === res.status) return reason.code;
  return res.status === 400 ? Code.InvalidArgument : codeFromHttpStatus(res.status);
}

/** The protocol as logged: grpc, grpc-web, connect, connect-get (unary GET) or rest. */
function protocolOf(call: RpcCall, res: Pick<UniversalServerResponse, "status" | "header">): string {
  if (call.protocol) return call.protocol;
  if (call.context) {
    const name = call.context.protocolName;
    return name === "connect" && call.context.requestMethod === "GET" ? "connect-get" : name;
  }
  return new Headers(res.header).get("content-type")?.startsWith("application/grpc-web") ? "grpc-web" : "connect";
}

/** Writes the common RPC line, its fields already serialized (see createInfoLineWriter). */
export type RpcLineWriter = (fields: string) => void;

/** The fields of an RPC's log line. */
export interface RpcLineFields {
  readonly requestId: string;
  readonly traceId: string | undefined;
  readonly procedure: string;
  readonly protocol: string;
  readonly encoding: "json" | "proto";
  readonly code: string;
  readonly httpStatus: number;
  readonly durationMs: number;
  readonly lane: "fast" | "stock";
}

/**
 * The fields as `JSON.stringify(fields).slice(1, -1)` writes them, without
 * the generic walk: only the request id (the client's, printable ASCII) can
 * need escaping; the trace id is hex, the procedure a proto name, the rest
 * the service's own words and finite numbers.
 */
export function serializeRpcLineFields(f: RpcLineFields): string {
  const trace = f.traceId === undefined ? "" : `,"traceId":"${f.traceId}"`;
  return `"requestId":${JSON.stringify(f.requestId)}${trace},"procedure":"${f.procedure}","protocol":"${f.protocol}","encoding":"${f.encoding}","code":"${f.code}","httpStatus":${f.httpStatus},"durationMs":${f.durationMs},"lane":"${f.lane}"`;
}

/**
 * Writes the one log line of an RPC: procedure, protocol, encoding, status
 * code, duration and correlation id. Client errors log at info (through
 * `infoLine`, the hot path), server faults at error with the cause's message
 * (never a stack or SQL).
 */
export function logRpc(
  logger: Logger,
  infoLine: RpcLineWriter,
  procedure: string,
  call: RpcCall,
  res: Pick<UniversalServerResponse, "status" | "header">,
): { protocol: string; code: string; seconds: number } {
  const code = codeOf(call, res);
  const requestType = call.context?.requestHeader.get("content-type") ?? "";
  const json = call.protocol === "rest" || requestType.includes("json") || (requestType === "" && call.context?.url.includes("encoding=json") === true);
  const protocol = protocolOf(call, res);
  const codeName = code === 0 ? "ok" : codeToString(code);
  const durationMs = performance.now() - call.startMs;
  const fields: RpcLineFields = {
    requestId: call.requestId,
    traceId: call.traceId || undefined, // undefined keys are left out, by pino and JSON.stringify alike
    procedure,
    protocol,
    encoding: json ? "json" : "proto",
    code: codeName,
    httpStatus: res.status,
    durationMs,
    lane: call.fastLane ? "fast" : "stock",
  };
  // Our fault only when Connect took the request in: an HTTP-level refusal
  // (415, 405) has no context and is the client's doing.
  const fault = code === Code.Internal || code === Code.Unknown || code === Code.DataLoss;
  if (fault && call.context !== undefined) {
    const cause = (call.context?.signal.reason as ConnectError | undefined)?.cause;
    logger.error({ ...fields, err: { type: (cause as Error | undefined)?.name, message: (cause as Error | undefined)?.message } }, "rpc failed");
  } else if (procedure.startsWith("grpc.")) {
    logger.debug(fields, "rpc"); // health probes and reflection: not worth a line each at info
  } else {
    infoLine(serializeRpcLineFields(fields)); // the same bytes pino writes
  }
  return { protocol, code: codeName, seconds: durationMs / 1000 };
}
