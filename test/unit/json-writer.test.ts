import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { create, toJsonString, type Message } from "@bufbuild/protobuf";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { DeletePersonResponseSchema, GetPersonResponseSchema, ListPeopleRequestSchema, ListPeopleResponseSchema, PersonSchema } from "../../gen/person/v1/person_pb.js";
import { BookSchema, GetBookRequestSchema, SearchBooksRequestSchema, ShelfSchema } from "../../gen/transcode/v1/transcode_pb.js";
import { HealthCheckResponseSchema } from "../../gen/health/v1/health_pb.js";
import { compileJsonWriter } from "../../src/adapters/connect/fast-lane/json-writer.ts";
import { anyText, person, secondsMax, secondsMin, seed } from "../support/person-arbitraries.ts";

// The compiled writer must produce toJsonString's very text, or give up
// (undefined) where toJsonString throws or where it does not vouch for a value.

const same = (schema: Parameters<typeof compileJsonWriter>[0], message: Message) => {
  const write = compileJsonWriter(schema);
  assert.ok(write, `${schema.typeName} is covered`);
  assert.equal(write(message), toJsonString(schema, message));
};

test("persons, with any text, fields set or not, timestamps across the whole range: the same text as toJsonString", () => {
  fc.assert(
    fc.property(person, (p) => {
      same(PersonSchema, p);
      same(GetPersonResponseSchema, create(GetPersonResponseSchema, { person: p }));
    }),
    { numRuns: 2000, seed },
  );
  fc.assert(
    fc.property(fc.array(person, { maxLength: 4 }), anyText, (people, nextPageToken) => same(ListPeopleResponseSchema, create(ListPeopleResponseSchema, { people, nextPageToken }))),
    { numRuns: 300, seed },
  );
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), anyText, (pageSize, pageToken) => same(ListPeopleRequestSchema, create(ListPeopleRequestSchema, { pageSize, pageToken }))),
    { numRuns: 300, seed },
  );
  same(GetPersonResponseSchema, create(GetPersonResponseSchema));
  same(DeletePersonResponseSchema, create(DeletePersonResponseSchema));
  same(PersonSchema, create(PersonSchema, { middleName: "", suffix: "" })); // explicit presence: written though empty
});

test("timestamps: every day boundary and leap day between years 1 and 9999 as Date writes it", () => {
  const write = compileJsonWriter(PersonSchema)!;
  for (let seconds = secondsMin; seconds <= secondsMax; seconds += 86_400n * 37n + 3_661n) {
    const p = create(PersonSchema, { createTime: { seconds, nanos: 0 }, updateTime: { seconds: seconds + 86_399n, nanos: 5 } });
    assert.equal(write(p), toJsonString(PersonSchema, p));
  }
  for (const day of ["0004-02-29", "1900-02-28", "1900-03-01", "2000-02-29", "2100-03-01", "9996-02-29", "1969-12-31", "1970-01-01"]) {
    const p = create(PersonSchema, { createTime: { seconds: BigInt(Date.parse(`${day}T23:59:59Z`) / 1000), nanos: 999_999_999 } });
    assert.equal(write(p), toJsonString(PersonSchema, p));
  }
});

test("what toJsonString refuses, the writer gives up on (undefined), so the caller gets toJsonString's own error", () => {
  const write = compileJsonWriter(PersonSchema)!;
  const bad = [
    create(PersonSchema, { createTime: { seconds: secondsMax + 1n, nanos: 0 } }),
    create(PersonSchema, { createTime: { seconds: secondsMin - 1n, nanos: 0 } }),
    create(PersonSchema, { createTime: { seconds: 0n, nanos: -1 } }),
    create(PersonSchema, { createTime: { seconds: 0n, nanos: 1_000_000_000 } }),
    Object.assign(create(PersonSchema), { firstName: 42 }),
    Object.assign(create(PersonSchema), { middleName: null }),
    create(ShelfSchema, { name: "a foreign message" }),
  ];
  for (const message of bad) {
    assert.equal(write(message as Message), undefined, JSON.stringify(message, (_, v) => (typeof v === "bigint" ? String(v) : v)));
    if (message.$typeName === PersonSchema.typeName) assert.throws(() => toJsonString(PersonSchema, message as never));
  }
  const wrongInside = create(GetPersonResponseSchema, { person: Object.assign(create(PersonSchema), { etag: 7 }) });
  assert.equal(compileJsonWriter(GetPersonResponseSchema)!(wrongInside), undefined);
});

test("types and options it does not cover are left to toJsonString: enums, booleans, 64-bit integers, other well-known types, write options", () => {
  assert.equal(compileJsonWriter(BookSchema), undefined, "enum field");
  assert.equal(compileJsonWriter(GetBookRequestSchema), undefined, "int64 and bool fields");
  assert.equal(compileJsonWriter(HealthCheckResponseSchema), undefined, "enum field");
  assert.equal(compileJsonWriter(TimestampSchema), undefined, "a well-known type at the top");
  assert.equal(compileJsonWriter(PersonSchema, { useProtoFieldName: true }), undefined);
  assert.equal(compileJsonWriter(PersonSchema, { alwaysEmitImplicit: true }), undefined);
  assert.ok(compileJsonWriter(PersonSchema, { ignoreUnknownFields: true } as never), "read options do not matter");
  const search = create(SearchBooksRequestSchema, { tags: ["a", ""], pageSize: -3, shelf: { name: "s" } });
  assert.equal(compileJsonWriter(ShelfSchema)!(search.shelf!), toJsonString(ShelfSchema, search.shelf!));
});
