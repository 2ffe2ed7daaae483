import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { RetryInfoSchema } from "../../../gen/google/rpc/error_details_pb.js";
import { rpcCallKey } from "../connect/rpc-call.ts";
import type { LoadSignal } from "./load-shedder.ts";
import type { RateLimiter } from "./rate-limiter.ts";

/** What the gate checks before a request body is read. */
export interface GateDeps {
  readonly limiter: RateLimiter | undefined;
  readonly load: LoadSignal | undefined;
  /** Checks credentials; resolves to the client's identity (undefined: anonymous allowed). */
  readonly authenticate?: (ctx: HandlerContext) => Promise<string | undefined>;
}

/** An error that tells the client to come back after `seconds`: Retry-After plus google.rpc.RetryInfo. */
function retryLater(message: string, code: Code, seconds: number): ConnectError {
  const whole = Math.max(1, Math.ceil(seconds));
  const delay = create(DurationSchema, { seconds: BigInt(Math.floor(seconds)), nanos: Math.round((seconds % 1) * 1e9) });
  return new ConnectError(message, code, { "retry-after": String(whole) }, [
    { desc: RetryInfoSchema, value: create(RetryInfoSchema, { retryDelay: delay }) },
  ]);
}

/**
 * The request gate every RPC passes (Connect routes and REST alike) before
 * its body is read: shed load when the event loop is saturated, authenticate,
 * then rate-limit per client (the authenticated subject, else the address).
 */
export function createRequestGate(deps: GateDeps) {
  const limit = (ctx: HandlerContext, subject: string | undefined) => {
    const wait = deps.limiter?.take(subject ?? ctx.values.get(rpcCallKey)?.clientAddress ?? "unknown");
    if (wait !== undefined) throw retryLater("rate limit exceeded, retry later", Code.ResourceExhausted, wait);
  };
  // Synchronous (it throws, or returns nothing) unless it authenticates: most calls then await nothing.
  return function gate(ctx: HandlerContext): Promise<void> | undefined {
    if (deps.load?.overloaded()) throw retryLater("the server is overloaded, retry shortly", Code.Unavailable, 1);
    if (!deps.authenticate) {
      limit(ctx, undefined);
      return undefined;
    }
    return deps.authenticate(ctx).then((subject) => limit(ctx, subject));
  };
}
