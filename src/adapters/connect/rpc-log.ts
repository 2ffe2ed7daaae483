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
 * What an RPC's line says, read from the call and its answer as soon as the
 * answer is known: every field but the duration (taken when the answer is
 * delivered), and for a server fault, the cause's type and message (never a
 * stack or SQL). It holds nothing of the call itself, so keeping it until
 * delivery keeps nothing else alive.
 */
export interface RpcSummary extends Omit<RpcLineFields, "durationMs"> {
  /** When the call started (performance.now(), ms). */
  readonly startMs: number;
  /** A server fault (logged at error, with its cause), else undefined. */
  readonly fault: { readonly type: string | undefined; readonly message: string | undefined } | undefined;
}

/** Reads the summary of an RPC from the call and its answer. */
export function summarizeRpc(procedure: string, call: RpcCall, res: Pick<UniversalServerResponse, "status" | "header">): RpcSummary {
  const code = codeOf(call, res);
  const requestType = call.context?.requestHeader.get("content-type") ?? "";
  const json = call.protocol === "rest" || requestType.includes("json") || (requestType === "" && call.context?.url.includes("encoding=json") === true);
  // Our fault only when Connect took the request in: an HTTP-level refusal
  // (415, 405) has no context and is the client's doing.
  const faulty = (code === Code.Internal || code === Code.Unknown || code === Code.DataLoss) && call.context !== undefined;
  const cause = faulty ? ((call.context?.signal.reason as ConnectError | undefined)?.cause as Error | undefined) : undefined;
  return {
    requestId: call.requestId,
    traceId: call.traceId || undefined, // undefined keys are left out, by pino and JSON.stringify alike
    procedure,
    protocol: protocolOf(call, res),
    encoding: json ? "json" : "proto",
    code: code === 0 ? "ok" : codeToString(code),
    httpStatus: res.status,
    lane: call.fastLane ? "fast" : "stock",
    startMs: call.startMs,
    fault: faulty ? { type: cause?.name, message: cause?.message } : undefined,
  };
}

/**
 * Writes the one log line of an RPC, its duration ending now: client errors
 * at info (through `infoLine`, the hot path), health probes and reflection
 * at debug, server faults at error with their cause. Returns the duration.
 */
export function logRpc(logger: Logger, infoLine: RpcLineWriter, summary: RpcSummary): number {
  const durationMs = performance.now() - summary.startMs;
  const fields: RpcLineFields = {
    requestId: summary.requestId,
    traceId: summary.traceId,
    procedure: summary.procedure,
    protocol: summary.protocol,
    encoding: summary.encoding,
    code: summary.code,
    httpStatus: summary.httpStatus,
    durationMs,
    lane: summary.lane,
  };
  if (summary.fault) {
    logger.error({ ...fields, err: summary.fault }, "rpc failed");
  } else if (summary.procedure.startsWith("grpc.")) {
    logger.debug(fields, "rpc"); // health probes and reflection: not worth a line each at info
  } else {
    infoLine(serializeRpcLineFields(fields)); // the same bytes pino writes
  }
  return durationMs;
}
