import { randomFillSync } from "node:crypto";

/** UUIDs drawn per refill of the random pool (as node:crypto's randomUUID batches them). */
const batch = 128;
const pool = Buffer.alloc(16 * batch);
let drawn = batch;
const text = Buffer.alloc(36);
const hexDigits = Buffer.from("0123456789abcdef", "latin1");
const dash = 0x2d;

/**
 * A random (version 4) UUID from the platform's CSPRNG, as node:crypto's
 * `randomUUID()` makes one, but returned as one flat string: randomUUID
 * concatenates 20 pieces, and the tree of about 480 bytes it leaves behind
 * lives as long as the id does (a request id lives for the whole call).
 */
export function randomUuid(): string {
  if (drawn === batch) {
    randomFillSync(pool);
    drawn = 0;
  }
  const at = 16 * drawn++;
  pool[at + 6] = (pool[at + 6]! & 0x0f) | 0x40; // version 4
  pool[at + 8] = (pool[at + 8]! & 0x3f) | 0x80; // RFC 9562 variant
  let out = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[out++] = dash;
    const byte = pool[at + i]!;
    text[out++] = hexDigits[byte >> 4]!;
    text[out++] = hexDigits[byte & 0x0f]!;
  }
  return text.toString("latin1", 0, 36);
}
