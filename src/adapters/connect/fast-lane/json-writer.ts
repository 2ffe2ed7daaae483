import { ScalarType, type DescField, type DescMessage, type JsonWriteOptions, type Message } from "@bufbuild/protobuf";
import { compileFields, isMessageOf } from "./compiled-fields.ts";

/**
 * Writes a message as proto3 JSON text, or returns undefined for a value it
 * does not vouch for (a foreign message, an out-of-range timestamp, a value
 * of the wrong type), which the caller then hands to `toJsonString`.
 */
export type JsonWriter = (message: Message) => string | undefined;

type ValueWriter = (value: unknown) => string | undefined;

/** What stands in for a message type still being compiled (a recursive type). */
interface Pending {
  write: JsonWriter | undefined;
}

const timestampMsMin = Date.parse("0001-01-01T00:00:00Z");
const timestampMsMax = Date.parse("9999-12-31T23:59:59Z");
const pad2 = (n: number) => (n < 10 ? "0" : "") + n;

/** google.protobuf.Timestamp as protobuf-es writes it (RFC 3339, UTC, 0, 3, 6 or 9 fraction digits), without a Date. */
function writeTimestamp(value: unknown): string | undefined {
  const ts = value as { seconds: unknown; nanos: unknown };
  const seconds = Number(ts.seconds);
  const nanos = ts.nanos;
  if (!Number.isInteger(seconds) || typeof nanos !== "number" || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) return undefined;
  if (seconds * 1000 < timestampMsMin || seconds * 1000 > timestampMsMax) return undefined;
  // Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil, inverted).
  const days = Math.floor(seconds / 86400);
  const secondOfDay = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  let fraction = "";
  if (nanos > 0) {
    const digits = String(nanos + 1e9).substring(1);
    fraction = digits.endsWith("000000") ? "." + digits.substring(0, 3) : digits.endsWith("000") ? "." + digits.substring(0, 6) : "." + digits;
  }
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  return `"${String(year).padStart(4, "0")}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(secondOfDay % 60)}${fraction}Z"`;
}

const writeString: ValueWriter = (v) => (typeof v === "string" ? JSON.stringify(v) : undefined);
const writeInt32: ValueWriter = (v) => (typeof v === "number" ? JSON.stringify(v) : undefined);

/** The writer of one scalar type, and the test for its zero value (implicit presence), or undefined when not covered. */
function scalarWriter(scalar: ScalarType): { write: ValueWriter; isZero: (v: unknown) => boolean } | undefined {
  switch (scalar) {
    case ScalarType.STRING:
      return { write: writeString, isZero: (v) => v === "" };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      // eslint-disable-next-line eqeqeq -- protobuf-es's own zero test: 0, "0" and 0n
      return { write: writeInt32, isZero: (v) => v == 0 };
    default:
      return undefined;
  }
}

/** One field's part of the object: `"name":value`, "" when the field is not written, undefined to give up. */
type FieldWriter = (message: Record<string, unknown>) => string | undefined;

function fieldWriter(field: DescField, compiled: Map<DescMessage, Pending>): FieldWriter | undefined {
  if (field.oneof || field.jsonName === "__proto__" || field.name === "__proto__") return undefined;
  const key = `${JSON.stringify(field.jsonName)}:`;
  const local = field.localName;
  if (field.fieldKind === "list") {
    const item = field.listKind === "scalar" ? scalarWriter(field.scalar)?.write : field.listKind === "message" ? messageValueWriter(field.message, compiled) : undefined;
    if (item === undefined) return undefined;
    return (m) => {
      const items = m[local] as unknown[];
      if (items.length === 0) return "";
      let out = key + "[";
      for (let i = 0; i < items.length; i++) {
        const text = item(items[i]);
        if (text === undefined) return undefined;
        out += (i === 0 ? "" : ",") + text;
      }
      return out + "]";
    };
  }
  let write: ValueWriter | undefined;
  let isZero: ((v: unknown) => boolean) | undefined;
  if (field.fieldKind === "scalar") ({ write, isZero } = scalarWriter(field.scalar) ?? {});
  else if (field.fieldKind === "message") write = messageValueWriter(field.message, compiled);
  if (write === undefined) return undefined;
  const valueWriter = write;
  if (field.presence === 2 /* implicit */ && isZero) {
    const zero = isZero;
    return (m) => {
      const value = m[local];
      if (zero(value)) return "";
      const text = valueWriter(value);
      return text === undefined ? undefined : key + text;
    };
  }
  if (field.presence !== 1 /* explicit */) return undefined; // legacy required: protobuf-es's own error
  return (m) => {
    const value = m[local];
    if (value === undefined || !Object.prototype.hasOwnProperty.call(m, local)) return "";
    const text = valueWriter(value);
    return text === undefined ? undefined : key + text;
  };
}

/** The writer of a message-typed value; undefined when the type is not covered. */
function messageValueWriter(desc: DescMessage, compiled: Map<DescMessage, Pending>): ValueWriter | undefined {
  if (desc.typeName === "google.protobuf.Timestamp") return (v) => (isMessageOf(v, desc) ? writeTimestamp(v) : undefined);
  if (desc.typeName.startsWith("google.protobuf.")) return undefined; // other well-known types keep protobuf-es's own JSON
  const pending = compiled.get(desc) ?? compileMessage(desc, compiled);
  if (pending === undefined) return undefined;
  return (v) => pending.write?.(v as Message);
}

function compileMessage(desc: DescMessage, compiled: Map<DescMessage, Pending>): Pending | undefined {
  const pending: Pending = { write: undefined };
  const writers = compileFields(desc, compiled, pending, fieldWriter);
  if (writers === undefined) return undefined;
  pending.write = (message) => {
    if (!isMessageOf(message, desc)) return undefined;
    let out = "{";
    for (let i = 0; i < writers.length; i++) {
      const part = (writers[i] as FieldWriter)(message as unknown as Record<string, unknown>);
      if (part === undefined) return undefined;
      if (part !== "") out += (out.length === 1 ? "" : ",") + part;
    }
    return out + "}";
  };
  return pending;
}

/**
 * Compiles a proto3 JSON writer for `desc` that produces the very text
 * `toJsonString(desc, message, options)` does, string concatenation instead
 * of a JSON object then `JSON.stringify`, and RFC 3339 timestamps without a
 * Date. It covers strings, 32-bit integers, messages, repeated
 * fields of those, and Timestamp; for any other type (or write option) it
 * returns undefined, and the caller keeps `toJsonString`.
 */
export function compileJsonWriter(desc: DescMessage, options?: Partial<JsonWriteOptions>): JsonWriter | undefined {
  if (options && (options.alwaysEmitImplicit || options.enumAsInteger || options.useProtoFieldName || options.registry)) {
    return undefined;
  }
  const pending = compileMessage(desc, new Map());
  return pending?.write;
}
