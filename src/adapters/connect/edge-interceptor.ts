import type { Interceptor } from "@connectrpc/connect";
import { rpcCallKey } from "./rpc-call.ts";
import { toConnectError } from "./error-mapper.ts";

/**
 * The interceptor every RPC passes through on its way to the implementation:
 * it marks the call as having reached the implementation and maps whatever
 * the implementation throws to the ConnectError the client sees.
 */
export function createEdgeInterceptor(): Interceptor {
  return (next) => async (req) => {
    const call = req.contextValues.get(rpcCallKey);
    if (call) call.reachedImplementation = true;
    try {
      return await next(req);
    } catch (e) {
      throw toConnectError(e);
    }
  };
}
