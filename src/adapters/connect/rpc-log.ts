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
  const durationMs = Number(process.hrtime.bigint() - call.startNs) / 1e6;
  const outcome = { protocol, code: codeName, seconds: durationMs / 1000 };
  const entry: Record<string, unknown> = {
    requestId: call.requestId,
    ...(call.traceId ? { traceId: call.traceId } : {}),
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
    entry.err = { type: (cause as Error | undefined)?.name, message: (cause as Error | undefined)?.message };
    logger.error(entry, "rpc failed");
  } else if (procedure.startsWith("grpc.")) {
    logger.debug(entry, "rpc"); // health probes and reflection: not worth a line each at info
  } else {
    infoLine(JSON.stringify(entry).slice(1, -1)); // flat strings and numbers: the same bytes pino writes
  }
  return outcome;
}
