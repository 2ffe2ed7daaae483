import type { IncomingHttpHeaders } from "node:http";
import { fromJson, toJson, type DescMessage, type JsonObject, type JsonReadOptions, type Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  createMethodSerializationLookup,
  getJsonOptions,
  limitSerialization,
  type MethodSerializationLookup,
  type Serialization,
} from "@connectrpc/connect/protocol";
import type { RpcRoutes } from "../connect/rpc-router.ts";
import type { LaneCall } from "../connect/fast-lane/fast-lane.ts";
import type { UnaryOutcome } from "../connect/fast-lane/unary-call.ts";
import { unaryProtocols } from "../connect/fast-lane/unary-protocols.ts";
import { compileJsonWriter } from "../connect/fast-lane/json-writer.ts";
import { createLightHeaders } from "../http/light-headers.ts";
import { createRestMatcher, type RestMatcherOptions } from "./rest-matcher.ts";
import { buildRequestJson } from "./rest-request.ts";
import { restAnswerHeaders, restBodyOf, restRefusal, rpcHeadersOf, type RestRoute } from "./rest-routes.ts";

/** Turns a bodyless REST request into a call of the fast lane, or returns undefined to leave it to Fastify. */
export type RestLane = (method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders) => LaneCall | undefined;

const connectProtocol = unaryProtocols.find((p) => p.name === "connect")!;

/**
 * The serialization of a route's RPC, but the answer is the JSON of its
 * `response_body` field alone: the bytes the REST plugin sends, written in
 * one pass (not the whole response, parsed back and cut).
 */
function restSerialization(route: RestRoute, rpc: RpcRoutes): MethodSerializationLookup<DescMessage, DescMessage> {
  const { method } = route.handler;
  const { binaryOptions, jsonOptions } = rpc.options;
  const lookup = createMethodSerializationLookup(method, binaryOptions, jsonOptions, rpc.options);
  if (route.responseField === undefined) return lookup;
  const options = getJsonOptions(jsonOptions);
  const field = route.responseField;
  // The field's JSON straight from its message, when it is the whole response and its type is covered.
  const writeField = field.fieldKind === "message" && method.output.fields.length === 1 ? compileJsonWriter(field.message, options) : undefined;
  const fieldText = (message: Message): string | undefined => {
    if (writeField === undefined || message.$typeName !== method.output.typeName) return undefined;
    const value = (message as unknown as Record<string, unknown>)[field.localName];
    return value === undefined || !Object.hasOwn(message, field.localName) ? "{}" : writeField(value as Message);
  };
  const answer: Serialization<Message> = limitSerialization<Message>(
    {
      parse: () => {
        throw new ConnectError("a REST answer is never parsed", Code.Internal);
      },
      serialize(message) {
        try {
          // UTF-8, from the shared pool
          return Buffer.from(fieldText(message) ?? restBodyOf(route, toJson(method.output, message, options) as JsonObject));
        } catch (e) {
          throw ConnectError.from(e, Code.Internal);
        }
      },
    },
    rpc.options,
  );
  return { getI: lookup.getI, getO: (binary) => (binary ? lookup.getO(true) : answer) };
}

/**
 * The serialization of one REST call whose request JSON the edge built: its
 * JSON input is that object itself, read with `fromJson`, rather than its
 * printed bytes parsed back (text decoding, `JSON.parse` and the duplicate-key
 * scan, for an object that cannot have duplicates). The bytes are still
 * what the size limits see, and errors are the JSON parser's.
 */
function withHeldInput(
  lookup: MethodSerializationLookup<DescMessage, DescMessage>,
  input: DescMessage,
  json: JsonObject,
  readOptions: Partial<JsonReadOptions>,
  limits: RpcRoutes["options"],
): MethodSerializationLookup<DescMessage, DescMessage> {
  const held = limitSerialization<Message>(
    {
      parse() {
        try {
          return fromJson(input, json, readOptions);
        } catch (e) {
          throw ConnectError.from(e, Code.InvalidArgument);
        }
      },
      serialize: (message) => lookup.getI(false).serialize(message),
    },
    limits,
  );
  return { getI: (binary) => (binary ? lookup.getI(true) : held), getO: lookup.getO };
}

/**
 * Serves the REST routes of bodyless calls (GET, DELETE) on the fast lane:
 * matched as Fastify matches them, built into the same Connect JSON request
 * the REST plugin builds, run through the same RPC, answered with the same
 * status, headers and body. Anything else — bodies, unknown paths, unusual
 * URLs — is left to the REST plugin on Fastify.
 */
export function createRestLane(routes: readonly RestRoute[], rpc: RpcRoutes, opts: RestMatcherOptions): RestLane {
  const match = createRestMatcher(routes, opts);
  const readOptions = getJsonOptions(rpc.options.jsonOptions);
  const lanes = new Map(
    routes.map((route) => {
      const unary = rpc.unary.get(route.handler.requestPath);
      const reshape = (outcome: UnaryOutcome): UnaryOutcome => {
        const body = outcome.body[0] ?? new Uint8Array();
        const head = restAnswerHeaders(route, outcome.status, outcome.header);
        head["content-length"] = String(body.byteLength);
        return { status: outcome.status, header: createLightHeaders(head), trailer: undefined, body: [body], bodyComplete: true };
      };
      return [route, unary && { route: unary, serialization: restSerialization(route, rpc), reshape }] as const;
    }),
  );
  return (method, url, headers) => {
    const found = match(method, url, headers);
    const lane = found && lanes.get(found.route);
    if (found === undefined || lane === undefined) return undefined;
    const header = rpcHeadersOf(headers);
    const input = found.route.handler.method.input;
    try {
      const json = buildRequestJson(input, found.route.binding.body, found.input);
      const body = Buffer.from(JSON.stringify(json));
      return { ...lane, serialization: withHeldInput(lane.serialization, input, json, readOptions, rpc.options), protocol: connectProtocol, binary: false, label: "rest", header, body };
    } catch (e) {
      const refused = restRefusal(ConnectError.from(e, Code.InvalidArgument));
      const answer = { status: refused.status, header: refused.header, trailer: undefined, body: [refused.body], bodyComplete: true };
      return { ...lane, protocol: connectProtocol, binary: false, label: "rest", header, answer };
    }
  };
}
