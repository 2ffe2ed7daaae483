import { bVarChar, datetime2ToBytes, guidToBytes, i32, latin1Collation, u16, u32, u64, u8, usVarChar } from "./tds-wire.ts";

/** A result column the responder can send. */
export interface Column {
  readonly name: string;
  readonly type: "guid" | "nvarchar" | "varchar" | "datetime2" | "int" | "rowversion";
  /** Declared length in characters (nvarchar/varchar). */
  readonly length?: number;
}

/** Rows are arrays of values: string (guid, text), bigint epoch nanos (datetime2), number, Buffer, or null. */
export type Value = string | bigint | number | Buffer | null;

/** A result set: its columns and rows. */
export interface ResultSet {
  readonly columns: readonly Column[];
  readonly rows: ReadonlyArray<readonly Value[]>;
}

const DONE_MORE = 0x01;
const DONE_ERROR = 0x02;
const DONE_COUNT = 0x10;
const DONE_ATTN = 0x20;

function typeInfo(c: Column): Buffer {
  switch (c.type) {
    case "guid":
      return Buffer.from([0x24, 16]);
    case "nvarchar":
      return Buffer.concat([u8(0xe7), u16((c.length ?? 4000) * 2), latin1Collation]);
    case "varchar":
      return Buffer.concat([u8(0xa7), u16(c.length ?? 8000), latin1Collation]);
    case "datetime2":
      return Buffer.from([0x2a, 7]);
    case "int":
      return Buffer.from([0x26, 4]);
    case "rowversion":
      return Buffer.concat([u8(0xad), u16(8)]);
  }
}

function value(c: Column, v: Value): Buffer {
  const nullable16 = (b: Buffer | null) => (b === null ? u16(0xffff) : Buffer.concat([u16(b.length), b]));
  switch (c.type) {
    case "guid":
      return v === null ? u8(0) : Buffer.concat([u8(16), guidToBytes(v as string)]);
    case "nvarchar":
      return nullable16(v === null ? null : Buffer.from(v as string, "ucs2"));
    case "varchar":
      return nullable16(v === null ? null : Buffer.from(v as string, "latin1"));
    case "datetime2":
      return v === null ? u8(0) : Buffer.concat([u8(8), datetime2ToBytes(v as bigint)]);
    case "int":
      return v === null ? u8(0) : Buffer.concat([u8(4), i32(v as number)]);
    case "rowversion":
      return nullable16(v as Buffer | null);
  }
}

/** COLMETADATA + ROW tokens of a result set, then DONEINPROC with its row count. */
export function resultSetTokens(set: ResultSet): Buffer {
  const meta = set.columns.map((c) => Buffer.concat([u32(0), u16(0x0001), typeInfo(c), bVarChar(c.name)]));
  const rows = set.rows.map((r) => Buffer.concat([u8(0xd1), ...set.columns.map((c, i) => value(c, r[i] ?? null))]));
  return Buffer.concat([u8(0x81), u16(set.columns.length), ...meta, ...rows, doneToken(0xff, DONE_MORE | DONE_COUNT, set.rows.length)]);
}

/** A DONE, DONEINPROC (0xff) or DONEPROC (0xfe) token. */
export function doneToken(token: 0xfd | 0xfe | 0xff, status: number, rowCount = 0): Buffer {
  return Buffer.concat([u8(token), u16(status), u16(0xc1), u64(BigInt(rowCount))]);
}

/** The end of an RPC: RETURNSTATUS 0 and a final DONEPROC. */
export function rpcEndTokens(error: boolean): Buffer {
  return Buffer.concat([u8(0x79), i32(error ? 1 : 0), doneToken(0xfe, error ? DONE_ERROR : 0)]);
}

/** An ERROR token as SQL Server sends it: number, state, class, message, server, procedure, line. */
export function errorToken(number: number, message: string, severity = 16, state = 1): Buffer {
  const body = Buffer.concat([i32(number), u8(state), u8(severity), usVarChar(message), bVarChar("tds-responder"), bVarChar(""), i32(1)]);
  return Buffer.concat([u8(0xaa), u16(body.length), body]);
}

/** The answer to an attention: DONE with the attention bit. */
export const attentionAck = () => doneToken(0xfd, DONE_ATTN);

/** The answer to a SQL batch that returns nothing. */
export const batchDone = () => doneToken(0xfd, 0);

/** PRELOGIN response: version, and ENCRYPT_NOT_SUP (no TLS on this test server). */
export function preloginResponse(): Buffer {
  const version = Buffer.from([16, 0, 0x10, 0x00, 0, 0]);
  const encryption = Buffer.from([0x02]);
  const header = Buffer.alloc(11);
  header.writeUInt8(0x00, 0);
  header.writeUInt16BE(11, 1);
  header.writeUInt16BE(version.length, 3);
  header.writeUInt8(0x01, 5);
  header.writeUInt16BE(11 + version.length, 6);
  header.writeUInt16BE(1, 8);
  header.writeUInt8(0xff, 10);
  return Buffer.concat([header, version, encryption]);
}

/** The answer to LOGIN7: collation ENVCHANGE, LOGINACK for TDS 7.4, DONE. */
export function loginResponse(): Buffer {
  const envBody = Buffer.concat([u8(7), u8(5), latin1Collation, u8(0)]);
  const env = Buffer.concat([u8(0xe3), u16(envBody.length), envBody]);
  const ackBody = Buffer.concat([u8(1), Buffer.from([0x74, 0x00, 0x00, 0x04]), bVarChar("tds-responder"), Buffer.from([16, 0, 0, 1])]);
  const ack = Buffer.concat([u8(0xad), u16(ackBody.length), ackBody]);
  return Buffer.concat([env, ack, doneToken(0xfd, 0)]);
}
