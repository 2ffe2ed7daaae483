import { ScalarType, type DescField, type DescMessage, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";

const bad = (message: string) => new ConnectError(message, Code.InvalidArgument);

/** The field of `message` named `name` (proto or JSON name). */
function fieldOf(message: DescMessage, name: string): DescField {
  const field = message.fields.find((f) => f.name === name || f.jsonName === name);
  if (!field) throw bad(`unknown field "${name}" in ${message.typeName}`);
  return field;
}

/** A query-string or path value as the proto3 JSON of a scalar or enum field. */
function jsonOfText(field: DescField, text: string): JsonValue {
  if (field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum")) {
    return /^-?\d+$/.test(text) ? Number(text) : text;
  }
  const scalar = field.fieldKind === "scalar" || field.fieldKind === "list" ? (field as { scalar?: ScalarType }).scalar : undefined;
  if (scalar === ScalarType.BOOL) {
    if (text !== "true" && text !== "false") throw bad(`${field.name}: must be true or false`);
    return text === "true";
  }
  return text;
}

/** Sets `value` at `path` (proto or JSON names) in the JSON object of `message`. */
function setPath(target: JsonObject, message: DescMessage, path: readonly string[], value: string | string[] | JsonValue, fromText: boolean): void {
  let desc = message;
  let obj = target;
  path.forEach((name, i) => {
    const field = fieldOf(desc, name);
    if (i === path.length - 1) {
      if (!fromText) obj[field.jsonName] = value as JsonValue;
      else if (field.fieldKind === "list") obj[field.jsonName] = ([] as string[]).concat(value as string[]).map((v) => jsonOfText(field, v));
      else if (Array.isArray(value)) throw bad(`${field.name}: given more than once`);
      else if (field.fieldKind === "scalar" || field.fieldKind === "enum") obj[field.jsonName] = jsonOfText(field, value as string);
      else throw bad(`${field.name}: a message cannot be set from a single value`);
      return;
    }
    if (field.fieldKind !== "message") throw bad(`${field.name}: has no fields`);
    desc = field.message;
    const next = obj[field.jsonName];
    obj = (typeof next === "object" && next !== null && !Array.isArray(next) ? next : (obj[field.jsonName] = {})) as JsonObject;
  });
}

/** What a REST call carries, already split by Fastify. */
export interface RestInput {
  readonly pathValues: Array<[readonly string[], string]>;
  readonly query: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

/**
 * Builds the proto3 JSON of the request message the way grpc-gateway does:
 * the body (whole message for "*", else one field), then the path variables,
 * then, unless the body is "*", query parameters for the remaining fields
 * (dotted paths for nested fields, repeated keys for repeated fields).
 */
export function buildRequestJson(message: DescMessage, bodyField: string, input: RestInput): JsonObject {
  let json: JsonObject = {};
  if (bodyField === "*") {
    if (typeof input.body !== "object" || input.body === null || Array.isArray(input.body)) {
      throw bad(`the request body must be a JSON object (${message.typeName})`);
    }
    json = { ...(input.body as JsonObject) };
  } else if (bodyField !== "") {
    setPath(json, message, [bodyField], (input.body ?? null) as JsonValue, false);
  }
  for (const [path, value] of input.pathValues) setPath(json, message, path, value, true);
  if (bodyField !== "*") {
    for (const [key, value] of Object.entries(input.query)) {
      if (value !== undefined) setPath(json, message, key.split("."), value, true);
    }
  } else if (Object.keys(input.query).length > 0) {
    throw bad(`query parameters are not accepted here: the body carries the whole request`);
  }
  return json;
}
