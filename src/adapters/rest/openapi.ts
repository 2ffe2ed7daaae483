import { ScalarType, getOption, hasOption, type DescField, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { z } from "zod";
import { FieldBehavior, field_behavior } from "../../../gen/google/api/field_behavior_pb.js";
import { httpBindingsOf } from "./http-rule.ts";
import { commentOf } from "./proto-comments.ts";

type Schema = Record<string, unknown>;

/** What the document describes. */
export interface OpenApiInput {
  readonly title: string;
  readonly version: string;
  readonly services: readonly DescService[];
  /** Zod input schemas of request messages by type name: their constraints annotate the fields. */
  readonly constraints: Readonly<Record<string, z.ZodType>>;
}

const ref = (typeName: string) => ({ $ref: `#/components/schemas/${typeName}` });
const errorRef = ref("connect.error");

const wellKnown: Record<string, Schema> = {
  "google.protobuf.Timestamp": { type: "string", format: "date-time", description: "RFC 3339, UTC" },
  "google.protobuf.Duration": { type: "string", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$" },
  "google.protobuf.Empty": { type: "object" },
  "google.protobuf.FieldMask": { type: "string" },
  "google.protobuf.Struct": { type: "object" },
  "google.protobuf.Value": {},
  "google.protobuf.Any": { type: "object", properties: { "@type": { type: "string" } } },
};

function scalarSchema(scalar: ScalarType): Schema {
  switch (scalar) {
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BYTES:
      return { type: "string", contentEncoding: "base64" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return { type: "number", format: scalar === ScalarType.DOUBLE ? "double" : "float" };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: "string", format: "int64", pattern: "^-?[0-9]+$" };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", format: "int64", minimum: 0, maximum: 4294967295 };
    default:
      return { type: "integer", format: "int32" };
  }
}

/** The JSON schema of one field's value, per the proto3 JSON mapping. */
function valueSchema(field: DescField, use: (m: DescMessage) => void): Schema {
  const one = (kind: "scalar" | "enum" | "message", f: { scalar?: ScalarType; enum?: { values: { name: string }[] }; message?: DescMessage }): Schema => {
    if (kind === "scalar") return scalarSchema(f.scalar!);
    if (kind === "enum") return { type: "string", enum: f.enum!.values.map((v) => v.name) };
    const known = wellKnown[f.message!.typeName];
    if (known) return known;
    use(f.message!);
    return ref(f.message!.typeName);
  };
  switch (field.fieldKind) {
    case "list":
      return { type: "array", items: one(field.listKind, field as never) };
    case "map":
      return { type: "object", additionalProperties: one(field.mapKind, field as never) };
    default:
      return one(field.fieldKind, field as never);
  }
}

/** Constraint keywords of a zod-derived property schema (a nullable or optional wrapper unwrapped). */
function constraintsOf(property: Schema | undefined): Schema {
  if (!property) return {};
  const variants = (property.anyOf as Schema[] | undefined) ?? [property];
  if (variants.some((v) => v.const === "")) return {}; // "" also allowed: only the description holds
  const main = variants.find((v) => v.type !== "null") ?? {};
  const picked: Schema = {};
  for (const key of ["minLength", "maxLength", "pattern", "format", "minimum", "maximum"]) {
    if (main[key] !== undefined) picked[key] = main[key];
  }
  return picked;
}

/** The JSON-schema properties of a zod object schema (once per schema: the conversion is not free). */
const zodPropertiesCache = new WeakMap<z.ZodType, Record<string, Schema>>();
function zodProperties(constraints: z.ZodType | undefined): Record<string, Schema> {
  if (!constraints) return {};
  let props = zodPropertiesCache.get(constraints);
  if (!props) {
    props = (z.toJSONSchema(constraints, { io: "input", unrepresentable: "any" }) as Schema).properties as Record<string, Schema>;
    zodPropertiesCache.set(constraints, props);
  }
  return props;
}

function messageSchema(message: DescMessage, constraints: z.ZodType | undefined, use: (m: DescMessage) => void): Schema {
  const zodProps = zodProperties(constraints);
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const field of message.fields) {
    const behaviors = hasOption(field, field_behavior) ? getOption(field, field_behavior) : [];
    const schema: Schema = { ...valueSchema(field, use), ...constraintsOf(zodProps[field.localName]) };
    const description = commentOf(field);
    if (description) schema.description = description;
    if (behaviors.includes(FieldBehavior.OUTPUT_ONLY)) schema.readOnly = true;
    if (behaviors.includes(FieldBehavior.REQUIRED)) required.push(field.jsonName);
    properties[field.jsonName] = schema;
  }
  const description = commentOf(message);
  return { type: "object", ...(description ? { description } : {}), properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

const errorSchema: Schema = {
  type: "object",
  description: "A Connect error: the same body for REST and Connect calls.",
  properties: {
    code: {
      type: "string",
      enum: ["canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found", "already_exists", "permission_denied", "resource_exhausted", "failed_precondition", "aborted", "out_of_range", "unimplemented", "internal", "unavailable", "data_loss", "unauthenticated"],
    },
    message: { type: "string" },
    details: {
      type: "array",
      items: { type: "object", properties: { type: { type: "string" }, value: { type: "string", contentEncoding: "base64" }, debug: {} }, required: ["type", "value"] },
    },
  },
  required: ["code"],
};

/**
 * Builds the OpenAPI 3.1 document of the services: every REST route from the
 * google.api.http bindings and every Connect unary endpoint (POST
 * /package.Service/Method), schemas per the proto3 JSON mapping, descriptions
 * from the proto comments, constraints from the domain's zod schemas.
 */
export function buildOpenApi(input: OpenApiInput): Schema {
  const schemas: Record<string, Schema> = { "connect.error": errorSchema };
  const pending: DescMessage[] = [];
  const use = (m: DescMessage) => {
    if (!(m.typeName in schemas)) {
      schemas[m.typeName] = {};
      pending.push(m);
    }
  };
  const paths: Record<string, Record<string, Schema>> = {};
  const bodies: Array<{ name: string; message: DescMessage; omit: Set<string> }> = [];
  const errors = { default: { description: "Error", content: { "application/json": { schema: errorRef } } } };
  for (const service of input.services) {
    const tag = service.name;
    for (const method of service.methods) {
      if (method.methodKind !== "unary") continue;
      use(method.input);
      use(method.output);
      const base = `${service.name}_${method.name}`;
      const doc = commentOf(method);
      paths[`/${service.typeName}/${method.name}`] = {
        post: {
          tags: [tag],
          operationId: `${base}_Connect`,
          summary: `${method.name} (Connect)`,
          description: doc,
          requestBody: { required: true, content: { "application/json": { schema: ref(method.input.typeName) } } },
          responses: { "200": { description: "OK", content: { "application/json": { schema: ref(method.output.typeName) } } }, ...errors },
        },
      };
      httpBindingsOf(method).forEach((binding, i) => {
        const pathFields = new Set(binding.template.variables.map((v) => v.fieldPath.join(".")));
        const openApiPath = binding.path.replace(/\{([^}=]+)(=[^}]*)?\}/g, "{$1}");
        const props = zodProperties(input.constraints[method.input.typeName]);
        const parameters: Schema[] = binding.template.variables.map((v) => {
          const field = method.input.fields.find((f) => f.name === v.fieldPath[0])!;
          return { name: v.fieldPath.join("."), in: "path", required: true, description: commentOf(field), schema: { ...valueSchema(field, use), ...constraintsOf(props[field.localName]) } };
        });
        if (binding.body !== "*") {
          for (const field of method.input.fields) {
            if (pathFields.has(field.name) || field.name === binding.body || field.fieldKind === "message" || field.fieldKind === "map") continue;
            parameters.push({ name: field.jsonName, in: "query", required: false, description: commentOf(field), schema: valueSchema(field, use) });
          }
        }
        const bodyField = binding.body && binding.body !== "*" ? method.input.fields.find((f) => f.name === binding.body) : undefined;
        let requestSchema: Schema | undefined = bodyField ? valueSchema(bodyField, use) : undefined;
        if (binding.body === "*") {
          // The path carries some fields: the body is the request without them.
          const name = pathFields.size ? `${method.input.typeName}.Body` : method.input.typeName;
          if (pathFields.size) bodies.push({ name, message: method.input, omit: pathFields });
          requestSchema = ref(name);
        }
        const responseField = binding.responseBody ? method.output.fields.find((f) => f.name === binding.responseBody) : undefined;
        const responseSchema = responseField ? valueSchema(responseField, use) : ref(method.output.typeName);
        paths[openApiPath] ??= {};
        paths[openApiPath][binding.verb.toLowerCase()] = {
          tags: [tag],
          operationId: i === 0 ? base : `${base}_${i}`,
          summary: method.name,
          description: doc,
          parameters,
          ...(requestSchema ? { requestBody: { required: true, content: { "application/json": { schema: requestSchema } } } } : {}),
          responses: { "200": { description: "OK", content: { "application/json": { schema: responseSchema } } }, ...errors },
        };
      });
    }
  }
  for (let m = pending.shift(); m; m = pending.shift()) schemas[m.typeName] = messageSchema(m, input.constraints[m.typeName], use);
  for (const { name, message, omit } of bodies) {
    const full = messageSchema(message, input.constraints[message.typeName], use);
    const jsonNames = new Set(message.fields.filter((f) => omit.has(f.name)).map((f) => f.jsonName));
    const properties = Object.fromEntries(Object.entries(full.properties as Schema).filter(([k]) => !jsonNames.has(k)));
    const required = ((full.required as string[] | undefined) ?? []).filter((k) => !jsonNames.has(k));
    schemas[name] = { ...full, properties, ...(required.length ? { required } : { required: undefined }) };
  }
  return {
    openapi: "3.1.0",
    info: { title: input.title, version: input.version, description: input.services.map((s) => commentOf(s)).join("\n\n") },
    tags: input.services.map((s) => ({ name: s.name, description: commentOf(s) })),
    paths,
    components: { schemas },
  };
}
