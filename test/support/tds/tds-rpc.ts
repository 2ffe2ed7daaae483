import { bytesToDatetime2, bytesToGuid, Reader } from "./tds-wire.ts";

/** One parameter of an RPC as it crossed the wire: its declared TDS type and its bytes. */
export interface WireParam {
  readonly name: string;
  /** TDS type id, e.g. 0x24 GUIDN, 0xe7 NVARCHAR, 0x2a DATETIME2N. */
  readonly typeId: number;
  readonly typeName: string;
  /** Declared maximum length in bytes (0xffff: MAX), for length-prefixed types. */
  readonly maxLength?: number;
  readonly scale?: number;
  /** The value's bytes as sent (null for NULL). */
  readonly bytes: Buffer | null;
  /** The decoded value: string (text, canonical GUID), bigint (datetime2 epoch nanos), number, Buffer, or null. */
  readonly value: unknown;
}

/** An sp_executesql call: the statement, its declaration list, and its parameters by name. */
export interface RpcCall {
  readonly statement: string;
  /** The `personsvc:<name>` tag of the statement, or "". */
  readonly tag: string;
  readonly declarations: string;
  readonly params: ReadonlyMap<string, WireParam>;
}

const typeNames: Record<number, string> = {
  0x24: "uniqueidentifier",
  0xe7: "nvarchar",
  0xa7: "varchar",
  0x2a: "datetime2",
  0x26: "intn",
  0xa5: "varbinary",
  0x68: "bitn",
};

/** Reads a PLP (MAX) value: total length, then chunks until a zero-length one. */
function readPlp(r: Reader): Buffer | null {
  const total = r.buf.readBigUInt64LE(r.offset);
  r.offset += 8;
  if (total === 0xffffffffffffffffn) return null;
  const parts: Buffer[] = [];
  for (let n = r.u32(); n !== 0; n = r.u32()) parts.push(r.bytes(n));
  return Buffer.concat(parts);
}

function readParam(r: Reader): WireParam {
  const name = r.bVarChar().replace(/^@/, "");
  r.u8(); // status flags
  const typeId = r.u8();
  const typeName = typeNames[typeId] ?? `0x${typeId.toString(16)}`;
  switch (typeId) {
    case 0xe7:
    case 0xa7: {
      const maxLength = r.u16();
      r.bytes(5); // collation
      const bytes = maxLength === 0xffff ? readPlp(r) : ((n) => (n === 0xffff ? null : r.bytes(n)))(r.u16());
      const value = bytes === null ? null : bytes.toString(typeId === 0xe7 ? "ucs2" : "latin1");
      return { name, typeId, typeName, maxLength, bytes, value };
    }
    case 0xa5: {
      const maxLength = r.u16();
      const n = r.u16();
      const bytes = n === 0xffff ? null : r.bytes(n);
      return { name, typeId, typeName, maxLength, bytes, value: bytes };
    }
    case 0x2a: {
      const scale = r.u8();
      const n = r.u8();
      const bytes = n === 0 ? null : r.bytes(n);
      return { name, typeId, typeName, scale, bytes, value: bytes && bytesToDatetime2(bytes, scale) };
    }
    case 0x24:
    case 0x26:
    case 0x68: {
      const maxLength = r.u8();
      const n = r.u8();
      const bytes = n === 0 ? null : r.bytes(n);
      const value =
        bytes === null ? null : typeId === 0x24 ? bytesToGuid(bytes) : bytes.readIntLE(0, bytes.length);
      return { name, typeId, typeName, maxLength, bytes, value };
    }
    default:
      throw new Error(`tds-responder: parameter type 0x${typeId.toString(16)} not supported`);
  }
}

/** Parses an RPC request payload (ALL_HEADERS, sp_executesql, parameters). */
export function parseRpc(payload: Buffer): RpcCall {
  const r = new Reader(payload);
  r.offset = payload.readUInt32LE(0); // skip ALL_HEADERS
  const nameLength = r.u16();
  if (nameLength === 0xffff) r.u16();
  else r.bytes(nameLength * 2);
  r.u16(); // option flags
  const params = new Map<string, WireParam>();
  while (r.offset < payload.length) {
    const p = readParam(r);
    params.set(p.name, p);
  }
  const statement = String(params.get("statement")?.value ?? "");
  const declarations = String(params.get("params")?.value ?? "");
  params.delete("statement");
  params.delete("params");
  return { statement, tag: /personsvc:([\w-]+)/.exec(statement)?.[1] ?? "", declarations, params };
}
