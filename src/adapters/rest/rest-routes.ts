import type { IncomingHttpHeaders } from "node:http";
import type { DescField, JsonObject } from "@bufbuild/protobuf";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import type { ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { createLightHeaders } from "../http/light-headers.ts";
import { httpBindingsOf, type HttpBinding } from "./http-rule.ts";

/** One REST route: an HTTP binding of an RPC and the RPC's handler. */
export interface RestRoute {
  readonly handler: UniversalHandler;
  readonly binding: HttpBinding;
  /** The response field sent as the body (`response_body`), or undefined for the whole response. */
  readonly responseField: DescField | undefined;
}

/** Every REST route of `handlers`, in declaration order (RPCs without a `google.api.http` option have none). */
export function restRoutesOf(handlers: readonly UniversalHandler[]): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const handler of handlers) {
    if (!handler.protocolNames.includes("connect")) continue;
    for (const binding of httpBindingsOf(handler.method)) {
      const responseField = binding.responseBody ? handler.method.output.fields.find((f) => f.name === binding.responseBody) : undefined;
      routes.push({ handler, binding, responseField });
    }
  }
  return routes;
}

/**
 * The body of a REST answer from the proto3 JSON of the RPC's response: the
 * `response_body` field alone when the route names one (`{}` when it is
 * unset), else the whole response.
 */
export function restBodyOf(route: RestRoute, response: JsonObject): string {
  return JSON.stringify(route.responseField ? (response[route.responseField.jsonName] ?? {}) : response);
}

/**
 * The answer to a REST request refused before its RPC could start (its URL or
 * body cannot make the request), as the RPC would have answered: Connect's
 * JSON error body and HTTP status.
 */
export function restRefusal(error: ConnectError): { status: number; header: Headers; body: Uint8Array } {
  return { status: codeToHttpStatus(error.code), header: createLightHeaders({ "content-type": "application/json" }), body: errorToJsonBytes(error, {}) };
}

/** Request headers that describe the REST message itself, not the call: not forwarded. */
const ownHeaders = new Set(["content-type", "content-length", "transfer-encoding", "accept-encoding", "connection", "host"]);

/**
 * The headers the RPC sees: the client's (as Node parsed them; repeated ones
 * joined, HTTP/2 pseudo-headers left out), but those of the REST message
 * itself, as a Connect JSON call.
 */
export function rpcHeadersOf(incoming: IncomingHttpHeaders): Headers {
  const fields: Record<string, string> = { "content-type": "application/json" };
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || name.charCodeAt(0) === 58 /* : */ || ownHeaders.has(name)) continue;
    fields[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return createLightHeaders(fields);
}

/** Answer headers of the RPC that a REST client gets too. */
const passedHeaders = ["retry-after", "www-authenticate"];

/**
 * The headers of a REST answer: JSON (with a charset when the body is one
 * response field), and the RPC's headers a REST client acts on.
 */
export function restAnswerHeaders(route: RestRoute, status: number, rpcHeader: Headers): Record<string, string> {
  const head: Record<string, string> = {
    "content-type": status === 200 && route.responseField ? "application/json; charset=utf-8" : "application/json",
  };
  for (const name of passedHeaders) {
    const value = rpcHeader.get(name);
    if (value) head[name] = value;
  }
  return head;
}
