import { test } from "node:test";
import assert from "node:assert/strict";
import { AppError } from "../../src/domain/app-error.ts";
import { parseOrThrow, personNamesSchema, uuidSchema } from "../../src/domain/person-schema.ts";
import { z } from "zod";

const names = (patch: Record<string, unknown>) => ({ firstName: "A", middleName: null, lastName: "B", suffix: null, ...patch });
const violations = (input: unknown) => {
  try {
    parseOrThrow(personNamesSchema, input);
    return [];
  } catch (e) {
    assert.ok(e instanceof AppError);
    assert.equal(e.code, "PERSON.INVALID_ARGUMENT");
    return e.violations.map((v) => `${v.field}: ${v.description}`);
  }
};

test("names are trimmed; lengths count UTF-16 code units after trimming", () => {
  assert.deepEqual(parseOrThrow(personNamesSchema, names({ firstName: "  Ada \u3000" })).firstName, "Ada");
  assert.deepEqual(violations(names({ firstName: " " + "a".repeat(50) + " " })), []);
  assert.deepEqual(violations(names({ firstName: "a".repeat(51) })), ["first_name: must be at most 50 characters"]);
  assert.deepEqual(violations(names({ firstName: "😀".repeat(25) })), []);
  assert.deepEqual(violations(names({ firstName: "😀".repeat(25) + "a" })), ["first_name: must be at most 50 characters"]);
  assert.deepEqual(violations(names({ suffix: "s".repeat(20) })), []);
  assert.deepEqual(violations(names({ suffix: "s".repeat(21) })), ["suffix: must be at most 20 characters"]);
});

test("required names must not be empty; optional ones may be empty or null", () => {
  assert.deepEqual(violations(names({ firstName: "", lastName: "\t " })), [
    "first_name: must not be empty",
    "last_name: must not contain control characters",
  ]);
  assert.deepEqual(violations(names({ lastName: "   " })), ["last_name: must not be empty"]);
  assert.deepEqual(violations(names({ middleName: "", suffix: "" })), []);
  assert.deepEqual(violations(names({ middleName: "  " })), []);
});

test("control characters, line separators and lone surrogates are refused; other Unicode is kept", () => {
  for (const bad of ["a\u0000b", "a\u001fb", "a\u007fb", "a\u0085b", "a\u2028b", "a\u2029b", "a\nb"]) {
    assert.deepEqual(violations(names({ firstName: bad })), ["first_name: must not contain control characters"], JSON.stringify(bad));
  }
  assert.deepEqual(violations(names({ lastName: "a\ud800b" })), ["last_name: must be well-formed Unicode (no lone surrogates)"]);
  for (const ok of ["Zoë", "e\u0301", "\u202Bעברית\u202C", "a\u200db", "王"]) {
    assert.equal(parseOrThrow(personNamesSchema, names({ lastName: ok })).lastName, ok);
  }
});

test("UUIDs: any 8-4-4-4-12 hex form, returned lowercase; anything else refused", () => {
  const id = z.object({ id: uuidSchema });
  assert.equal(parseOrThrow(id, { id: "8F0E6F43-4A4E-4B6E-9A4E-3F1F2B0F9A11" }).id, "8f0e6f43-4a4e-4b6e-9a4e-3f1f2b0f9a11");
  for (const bad of ["", "8f0e6f434a4e4b6e9a4e3f1f2b0f9a11", "{8f0e6f43-4a4e-4b6e-9a4e-3f1f2b0f9a11}", "8f0e6f43-4a4e-4b6e-9a4e-3f1f2b0f9a1g"]) {
    assert.throws(() => parseOrThrow(id, { id: bad }), (e: AppError) => e.violations[0]?.field === "id");
  }
});
