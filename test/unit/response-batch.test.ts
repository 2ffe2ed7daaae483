import { test } from "node:test";
import assert from "node:assert/strict";
import { createResponseBatch } from "../../src/adapters/http/response-batch.ts";

test("deferred writes run together at the end of the turn, in order; a throwing write does not stop the others", async () => {
  const errors: unknown[] = [];
  const batch = createResponseBatch((e) => errors.push(e));
  const ran: string[] = [];
  batch.defer(() => ran.push("a"));
  batch.defer(() => {
    throw new Error("socket gone");
  });
  const turn = batch.turn().then(() => ran.push("turn"));
  batch.defer(() => ran.push("b"));
  await Promise.resolve();
  assert.deepEqual(ran, [], "nothing is written within the turn that deferred it");
  await turn;
  assert.deepEqual(ran, ["a", "b", "turn"], "callbacks in order, then the awaiting writers");
  assert.equal((errors[0] as Error).message, "socket gone");
  const later: string[] = [];
  batch.defer(() => later.push("next turn"));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(later, ["next turn"], "a later turn gets its own flush");
});
