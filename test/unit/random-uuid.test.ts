import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUuid } from "../../src/adapters/system/random-uuid.ts";

const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("random UUIDs are version 4, RFC 9562 variant, lower-case hex", () => {
  for (let i = 0; i < 1000; i++) assert.match(randomUuid(), v4);
});

test("random UUIDs do not repeat, across many refills of the random pool", () => {
  const n = 50_000;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(randomUuid());
  assert.equal(seen.size, n);
});

test("an id handed out is never changed by the ones drawn after it", () => {
  const first = randomUuid();
  const copy = `${first}`.split("").join("");
  for (let i = 0; i < 300; i++) randomUuid();
  assert.equal(first, copy);
});

test("every random hex digit takes every value, and the variant digit each of 8, 9, a, b", () => {
  const values = Array.from({ length: 36 }, () => new Set<string>());
  for (let i = 0; i < 4000; i++) {
    const id = randomUuid();
    for (let c = 0; c < 36; c++) values[c]!.add(id[c]!);
  }
  for (let c = 0; c < 36; c++) {
    const expected = [8, 13, 18, 23].includes(c) ? 1 : c === 14 ? 1 : c === 19 ? 4 : 16;
    assert.equal(values[c]!.size, expected, `position ${c}: ${[...values[c]!].sort().join("")}`);
  }
});
