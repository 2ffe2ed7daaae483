import { ScalarType, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { compileFields, isMessageOf } from "./compiled-fields.ts";

/**
 * Writes a message in the protobuf binary format, or returns undefined for a
 * message it does not vouch for (a foreign message, unknown fields, a value
 * of the wrong type or out of its range), which the caller then hands to
 * `toBinary`.
 */
export type BinaryWriter = (message: Message) => Uint8Array<ArrayBuffer> | undefined;

/** The scratch buffer a message is written into, and the write position. */
interface Scratch {
  buf: Buffer;
  pos: number;
}

/** Writes one field of a message into the scratch buffer; false to give up. */
type FieldWriter = (s: Scratch, message: Record<string, unknown>) => boolean;

/** What stands in for a message type still being compiled (a recursive type). */
interface Pending {
  write: FieldWriter | undefined;
}

const scratchBytes = 4096;
/** A scratch buffer grown past this is let go after the message that needed it. */
const keepBytes = 1 << 20;
const int32Max = 0x7fffffff;

function reserve(s: Scratch, bytes: number): void {
  if (s.pos + bytes <= s.buf.length) return;
  const grown = Buffer.allocUnsafeSlow(Math.max(s.buf.length * 2, s.pos + bytes));
  s.buf.copy(grown, 0, 0, s.pos);
  s.buf = grown;
}

/** A varint of a non-negative integer below 2^53. */
function varint(s: Scratch, value: number): void {
  reserve(s, 8);
  const buf = s.buf;
  while (value > int32Max) {
    buf[s.pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  while (value > 0x7f) {
    buf[s.pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[s.pos++] = value;
}

const varintSize = (value: number) => (value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5);

/** A length-delimited string, as protobuf-es writes it (UTF-8, a lone surrogate as U+FFFD). */
function writeString(s: Scratch, value: string): void {
  const length = value.length;
  if (length < 0x80) {
    reserve(s, length + 1);
    const buf = s.buf;
    const start = s.pos;
    let i = 0;
    for (; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) break;
      buf[start + 1 + i] = code;
    }
    if (i === length) {
      buf[start] = length;
      s.pos = start + 1 + length;
      return;
    }
  }
  const bytes = Buffer.byteLength(value, "utf8");
  varint(s, bytes);
  reserve(s, bytes);
  s.pos += s.buf.write(value, s.pos, bytes, "utf8");
}

/** Writes a field's value (its tag is written before), or gives up (false) on a value of another type or range. */
type ValueWriter = (s: Scratch, value: unknown) => boolean;

/** The value writer of one scalar type, its wire type and its zero value (implicit presence); undefined when not covered. */
function scalarWriter(scalar: ScalarType): { wireType: number; write: ValueWriter; isZero: (v: unknown) => boolean } | undefined {
  switch (scalar) {
    case ScalarType.STRING:
      return {
        wireType: 2,
        write: (s, v) => typeof v === "string" && (writeString(s, v), true),
        isZero: (v) => v === "",
      };
    case ScalarType.INT32:
      return {
        wireType: 0,
        write: (s, v) => typeof v === "number" && (v | 0) === v && v >= 0 && (varint(s, v), true),
        isZero: (v) => v === 0,
      };
    case ScalarType.INT64:
      return {
        wireType: 0,
        write: (s, v) => typeof v === "bigint" && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) && (varint(s, Number(v)), true),
        // eslint-disable-next-line eqeqeq -- protobuf-es's own zero test: 0, "0" and 0n
        isZero: (v) => v == 0,
      };
    default:
      return undefined;
  }
}

/** Writes `message` with `write` as a length-delimited field body: a one-byte length first, widened when longer. */
function delimited(s: Scratch, write: FieldWriter, message: Record<string, unknown>): boolean {
  reserve(s, 1);
  const start = s.pos++;
  if (!write(s, message)) return false;
  const length = s.pos - start - 1;
  if (length < 0x80) {
    s.buf[start] = length;
    return true;
  }
  const extra = varintSize(length) - 1;
  reserve(s, extra);
  s.buf.copyWithin(start + 1 + extra, start + 1, s.pos);
  s.pos = start;
  varint(s, length);
  s.pos += length;
  return true;
}

function messageWriter(desc: DescMessage, compiled: Map<DescMessage, Pending>): ValueWriter | undefined {
  if (desc.typeName.startsWith("google.protobuf.") && desc.typeName !== "google.protobuf.Timestamp") return undefined; // wrappers are unboxed
  const pending = compiled.get(desc) ?? compileMessage(desc, compiled);
  if (pending === undefined) return undefined;
  return (s, v) => isMessageOf(v, desc) && delimited(s, pending.write!, v as Record<string, unknown>);
}

/** A field's value writer, wire type and zero test (implicit presence); undefined when its kind or type is not covered. */
function valueWriter(field: DescField, compiled: Map<DescMessage, Pending>): { wireType: number; write: ValueWriter; isZero?: (v: unknown) => boolean } | undefined {
  if (field.oneof) return undefined;
  const message = field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message") ? field : undefined;
  if (message) {
    if (message.delimitedEncoding) return undefined; // groups
    const write = messageWriter(message.message, compiled);
    return write && { wireType: 2, write };
  }
  if (field.fieldKind === "scalar") return scalarWriter(field.scalar);
  if (field.fieldKind === "list" && field.listKind === "scalar" && field.scalar === ScalarType.STRING) return scalarWriter(field.scalar);
  return undefined; // maps, enums, packed lists
}

function fieldWriter(field: DescField, compiled: Map<DescMessage, Pending>): FieldWriter | undefined {
  const writer = valueWriter(field, compiled);
  if (writer === undefined) return undefined;
  const { write: value, isZero } = writer;
  const local = field.localName;
  const tag = field.number * 8 + writer.wireType;
  const writeTagged = (s: Scratch, v: unknown) => (varint(s, tag), value(s, v));
  if (field.fieldKind === "list") {
    return (s, m) => {
      const items = m[local] as unknown[];
      for (let i = 0; i < items.length; i++) if (!writeTagged(s, items[i])) return false;
      return true;
    };
  }
  if (field.presence === 2 /* implicit */ && isZero) {
    const zero = isZero;
    return (s, m) => zero(m[local]) || writeTagged(s, m[local]);
  }
  if (field.presence !== 1 /* explicit */) return undefined; // legacy required: protobuf-es's own error
  return (s, m) => m[local] === undefined || !Object.prototype.hasOwnProperty.call(m, local) || writeTagged(s, m[local]);
}

function compileMessage(desc: DescMessage, compiled: Map<DescMessage, Pending>): Pending | undefined {
  const pending: Pending = { write: undefined };
  const writers = compileFields(desc, compiled, pending, fieldWriter);
  if (writers === undefined) return undefined;
  pending.write = (s, message) => {
    const unknown = (message as { $unknown?: unknown[] }).$unknown;
    if (unknown !== undefined && unknown.length > 0) return false;
    for (let i = 0; i < writers.length; i++) if (!(writers[i] as FieldWriter)(s, message)) return false;
    return true;
  };
  return pending;
}

/**
 * Compiles a binary writer for `desc` that produces the very bytes
 * `toBinary(desc, message, options)` does, written into one scratch buffer
 * and copied once into a Buffer of Node's pool: toBinary's writer starts
 * each message with a fresh 128-byte buffer and copies the result out of
 * it, two allocations outside the V8 heap per message. It covers strings,
 * non-negative 32-bit and safe 64-bit integers, messages, repeated
 * strings and messages, and Timestamp; for any other type it returns
 * undefined, and for a value it gives up on the writer returns undefined.
 */
export function compileBinaryWriter(desc: DescMessage): BinaryWriter | undefined {
  const pending = compileMessage(desc, new Map());
  if (pending === undefined) return undefined;
  const write = pending.write!;
  const s: Scratch = { buf: Buffer.allocUnsafeSlow(scratchBytes), pos: 0 };
  return (message) => {
    s.pos = 0;
    const done = isMessageOf(message, desc) && write(s, message as unknown as Record<string, unknown>);
    const out = done ? Buffer.allocUnsafe(s.pos) : undefined;
    if (out) s.buf.copy(out, 0, 0, s.pos);
    if (s.buf.length > keepBytes) s.buf = Buffer.allocUnsafeSlow(scratchBytes);
    return out;
  };
}
