import { test } from "node:test";
import assert from "node:assert/strict";
import { createContextKey, createContextValues } from "@connectrpc/connect";
import { createCallValues } from "../../src/adapters/connect/fast-lane/call-values.ts";

test("call values behave as connect-es's context values: defaults, set, overwrite, delete, chaining, independence", () => {
  const a = createContextKey<string>("default a");
  const b = createContextKey<number | undefined>(undefined);
  for (const make of [createContextValues, createCallValues]) {
    const values = make();
    const other = make();
    assert.equal(values.get(a), "default a");
    assert.equal(values.get(b), undefined);
    assert.equal(values.set(a, "one").set(b, 2), values, "set chains");
    assert.deepEqual([values.get(a), values.get(b)], ["one", 2]);
    values.set(a, "two");
    assert.equal(values.get(a), "two");
    values.set(b, undefined);
    assert.equal(values.get(b), undefined, "a value set to undefined reads undefined");
    assert.equal(values.delete(a), values, "delete chains");
    assert.equal(values.get(a), "default a", "a deleted key reads its default again");
    assert.equal(other.get(a), "default a", "values are per call");
  }
});
