import { create, type DescMessage, type Message } from "@bufbuild/protobuf";
import type { HandlerContext, Interceptor, UnaryRequest, UnaryResponse } from "@connectrpc/connect";
import type { UnaryRoute } from "../rpc-router.ts";

type Spec = UnaryRoute["spec"];
type Request = UnaryRequest<DescMessage, DescMessage>;
type Response = UnaryResponse<DescMessage, DescMessage>;

/** The implementation's context: the call's own unless an interceptor passed on a changed request (as connect-es merges them). */
function contextFor(context: HandlerContext, req: Request): HandlerContext {
  if (req.service === context.service && req.header === context.requestHeader && req.signal === context.signal && req.contextValues === context.values) {
    return context;
  }
  return { ...context, service: req.service, requestHeader: req.header, signal: req.signal, values: req.contextValues };
}

/** Replaces the headers of `to` with those of `from`, unless they are the same object. */
function copyHeaders(from: Headers, to: Headers): void {
  if (from === to) return;
  to.forEach((_, key) => to.delete(key));
  from.forEach((value, key) => to.set(key, value));
}

/**
 * connect-es's invokeUnaryImplementation with fewer promises and copies: the
 * interceptors wrap the implementation per call, in the same order, and see
 * the same request and response fields; the implementation's output is
 * normalized the same way (`create`); the response headers and trailers an
 * interceptor returns replace the call's. The implementation gets the call's
 * context itself rather than a copy of it when no interceptor changed the
 * request (connect-es copies it either way).
 */
export function invokeUnary(spec: Spec, context: HandlerContext, input: Message, interceptors: readonly Interceptor[] | undefined): Promise<Message> {
  const { method } = spec;
  const implementation = (req: Request): Promise<Response> => {
    let result: ReturnType<Spec["impl"]>;
    try {
      result = spec.impl(req.message, contextFor(context, req));
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.resolve(result).then((output) => ({
      message: create(method.output, output),
      stream: false as const,
      method,
      service: method.parent,
      header: context.responseHeader,
      trailer: context.responseTrailer,
    }));
  };
  let next = implementation as (req: Request) => Promise<Response>;
  if (interceptors) for (let i = interceptors.length - 1; i >= 0; i--) next = (interceptors[i] as Interceptor)(next as never) as never;
  const request: Request = {
    stream: false,
    message: input,
    method,
    requestMethod: context.requestMethod,
    url: context.url,
    signal: context.signal,
    header: context.requestHeader,
    service: method.parent,
    contextValues: context.values,
  };
  return next(request).then(({ message, header, trailer }) => {
    copyHeaders(header, context.responseHeader);
    copyHeaders(trailer, context.responseTrailer);
    return message;
  });
}
