/**
 * Byte-level pieces of MS-TDS 7.4 shared by the test responder: packet
 * framing, a little reader, and the value encodings it needs.
 */

/** TDS packet types (MS-TDS 2.2.3.1.1). */
export const PacketType = {
  SqlBatch: 0x01,
  Rpc: 0x03,
  TabularResult: 0x04,
  Attention: 0x06,
  Login7: 0x10,
  PreLogin: 0x12,
} as const;

const headerLength = 8;
/** The packet size tedious negotiates by default. */
export const packetSize = 4096;

/** Splits a message into TDS packets of `packetSize`, the last one flagged end-of-message. */
export function toPackets(type: number, payload: Buffer): Buffer {
  const room = packetSize - headerLength;
  const packets: Buffer[] = [];
  let id = 1;
  for (let offset = 0; offset < payload.length || packets.length === 0; offset += room) {
    const chunk = payload.subarray(offset, offset + room);
    const last = offset + room >= payload.length;
    const header = Buffer.alloc(headerLength);
    header.writeUInt8(type, 0);
    header.writeUInt8(last ? 0x01 : 0x00, 1);
    header.writeUInt16BE(headerLength + chunk.length, 2);
    header.writeUInt8(id++ & 0xff, 6);
    packets.push(header, chunk);
  }
  return Buffer.concat(packets);
}

/** Collects packets from a byte stream into whole messages. */
export function createMessageReader(onMessage: (type: number, payload: Buffer) => void) {
  let pending = Buffer.alloc(0);
  let parts: Buffer[] = [];
  return (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= headerLength) {
      const length = pending.readUInt16BE(2);
      if (pending.length < length) return;
      const type = pending.readUInt8(0);
      const status = pending.readUInt8(1);
      parts.push(pending.subarray(headerLength, length));
      pending = pending.subarray(length);
      if (status & 0x01) {
        const payload = Buffer.concat(parts);
        parts = [];
        onMessage(type, payload);
      }
    }
  };
}

/** A cursor over a little-endian payload. */
export class Reader {
  offset = 0;
  readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  u8() {
    return this.buf.readUInt8(this.offset++);
  }
  u16() {
    const v = this.buf.readUInt16LE(this.offset);
    this.offset += 2;
    return v;
  }
  u32() {
    const v = this.buf.readUInt32LE(this.offset);
    this.offset += 4;
    return v;
  }
  bytes(n: number) {
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  /** B_VARCHAR: a 1-byte character count, then UCS-2. */
  bVarChar() {
    return this.bytes(this.u8() * 2).toString("ucs2");
  }
  /** US_VARCHAR: a 2-byte character count, then UCS-2. */
  usVarChar() {
    return this.bytes(this.u16() * 2).toString("ucs2");
  }
}

/** Little helpers for building token streams. */
export const u8 = (v: number) => Buffer.from([v & 0xff]);
export const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};
export const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
export const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};
export const u64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
};
export const bVarChar = (s: string) => Buffer.concat([u8(s.length), Buffer.from(s, "ucs2")]);
export const usVarChar = (s: string) => Buffer.concat([u16(s.length), Buffer.from(s, "ucs2")]);

/** SQL_Latin1_General_CP1_CI_AS, as the 5 collation bytes TDS carries. */
export const latin1Collation = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);

/**
 * A GUID in its TDS byte layout: the first three groups little-endian (mixed
 * endian), the last two as written.
 */
export function guidToBytes(guid: string): Buffer {
  const hex = Buffer.from(guid.replace(/-/g, ""), "hex");
  return Buffer.concat([
    Buffer.from(hex.subarray(0, 4)).reverse(),
    Buffer.from(hex.subarray(4, 6)).reverse(),
    Buffer.from(hex.subarray(6, 8)).reverse(),
    hex.subarray(8, 16),
  ]);
}

/** The inverse of `guidToBytes`, in canonical lowercase. */
export function bytesToGuid(b: Buffer): string {
  const h = Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8, 16),
  ]).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const daysFromYearOneToEpoch = 719_162n;
const ticksPerDay = 864_000_000_000n;

/** Epoch nanoseconds -> datetime2(7) bytes: 5 bytes of 100 ns ticks since midnight, 3 bytes of days since 0001-01-01. */
export function datetime2ToBytes(epochNanos: bigint): Buffer {
  const ticks = epochNanos / 100n;
  const days = ticks / ticksPerDay;
  const time = ticks % ticksPerDay;
  const b = Buffer.alloc(8);
  b.writeUIntLE(Number(time), 0, 5);
  b.writeUIntLE(Number(days + daysFromYearOneToEpoch), 5, 3);
  return b;
}

/** datetime2 bytes at `scale` -> epoch nanoseconds. */
export function bytesToDatetime2(b: Buffer, scale: number): bigint {
  const timeLength = b.length - 3;
  const time = BigInt(b.readUIntLE(0, timeLength)) * 10n ** BigInt(7 - scale);
  const days = BigInt(b.readUIntLE(timeLength, 3)) - daysFromYearOneToEpoch;
  return (days * ticksPerDay + time) * 100n;
}
