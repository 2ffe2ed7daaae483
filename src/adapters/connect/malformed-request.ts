import { Code, ConnectError } from "@connectrpc/connect";
import { createAsyncIterable, encodeEnvelope, readAllBytes, type UniversalServerResponse } from "@connectrpc/connect/protocol";
import { errorFromJsonBytes, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { createTrailerSerialization, trailerFlag } from "@connectrpc/connect/protocol-grpc-web";
import type { RpcCall } from "./rpc-call.ts";

const grpcWebTrailer = createTrailerSerialization();
const internalCode = String(Code.Internal);

/**
 * Connect-es answers a request body it cannot decode (malformed protobuf,
 * corrupt compression) with INTERNAL. The client sent bad bytes, so this
 * re-labels such an answer INVALID_ARGUMENT, in each protocol's own format.
 * Only errors raised before the call reached the implementation qualify:
 * from there on, INTERNAL means a bug of ours.
 */
export async function reclassifyMalformedRequest(
  call: RpcCall,
  res: UniversalServerResponse,
): Promise<UniversalServerResponse> {
  const ctx = call.context;
  if (ctx === undefined || call.reachedImplementation) return res;
  const what = `request body is not a valid ${ctx.method.input.typeName}`;
  switch (ctx.protocolName) {
    case "grpc":
    case "grpc-web": {
      if (ctx.responseTrailer.get("grpc-status") !== internalCode) return res;
      const cause = ctx.responseTrailer.get("grpc-message") ?? "";
      let detail = cause;
      try {
        detail = decodeURIComponent(cause);
      } catch {
        // keep the percent-encoded text
      }
      setTrailerStatus(ctx.responseTrailer, new ConnectError(`${what}: ${detail}`, Code.InvalidArgument));
      if (ctx.protocolName === "grpc") return res;
      const envelope = encodeEnvelope(trailerFlag, grpcWebTrailer.serialize(ctx.responseTrailer));
      return { ...res, body: createAsyncIterable([envelope]) };
    }
    case "connect": {
      if (res.status !== 500 || res.body === undefined) return res;
      const bytes = await readAllBytes(res.body as AsyncIterable<Uint8Array>, 1 << 16);
      const original = errorFromJsonBytes(bytes, undefined, new ConnectError("internal error", Code.Internal));
      if (original.code !== Code.Internal) return { ...res, body: createAsyncIterable([bytes]) };
      const body = errorToJsonBytes(new ConnectError(`${what}: ${original.rawMessage}`, Code.InvalidArgument), {});
      const header = new Headers(res.header);
      header.set("content-length", String(body.byteLength));
      return { ...res, status: 400, header, body: createAsyncIterable([body]) };
    }
    default:
      return res;
  }
}
