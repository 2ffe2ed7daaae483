import FindMyWay from "find-my-way";
import type { IncomingHttpHeaders } from "node:http";
import { bindVariables } from "./path-template.ts";
import type { RestInput } from "./rest-request.ts";
import type { RestRoute } from "./rest-routes.ts";

/** A REST request matched to its route, split as Fastify splits it. */
export interface RestMatch {
  readonly route: RestRoute;
  readonly input: RestInput;
}

/**
 * Finds the route of a REST request that carries no body, or undefined when
 * the request is anything else: then Fastify serves it (and answers it the
 * way it answers every unusual request).
 */
export type RestMatcher = (method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders) => RestMatch | undefined;

/** The router options Fastify routes REST with (see buildApp): matching, decoding and limits stay the same. */
export interface RestMatcherOptions {
  readonly maxParamLength: number;
}

/**
 * Matches bodyless REST calls (GET, DELETE without a body) with Fastify's
 * own router, find-my-way, under Fastify's options: the same routes, the
 * same percent-decoding of path values, the same query-string parser, the
 * same refusals (a bad URL or an over-long value matches nothing here and is
 * left to Fastify to answer).
 */
export function createRestMatcher(routes: readonly RestRoute[], opts: RestMatcherOptions): RestMatcher {
  const router = FindMyWay({ maxParamLength: opts.maxParamLength });
  const noop = () => {};
  let any = false;
  for (const route of routes) {
    const { verb, body } = route.binding;
    if ((verb !== "GET" && verb !== "DELETE") || body !== "") continue;
    router.on(verb, route.binding.template.fastifyPath, noop, route);
    any = true;
  }
  return (method, url, headers) => {
    if (!any || (method !== "GET" && method !== "DELETE") || url === undefined) return undefined;
    // A body, or a content type Fastify would act on, takes Fastify's path.
    if (headers["content-type"] !== undefined || headers["transfer-encoding"] !== undefined) return undefined;
    if (headers["content-length"] !== undefined && headers["content-length"] !== "0") return undefined;
    const found = router.find(method, url);
    if (found === null) return undefined;
    const route = found.store as RestRoute;
    return {
      route,
      input: {
        pathValues: bindVariables(route.binding.template, found.params as Record<string, string>),
        query: found.searchParams,
        body: undefined,
      },
    };
  };
}
