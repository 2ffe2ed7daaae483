import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { create, fromBinary, toBinary, type DescMessage, type Message } from "@bufbuild/protobuf";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { CreatePersonRequestSchema, DeletePersonResponseSchema, GetPersonResponseSchema, ListPeopleRequestSchema, ListPeopleResponseSchema, PersonSchema } from "../../gen/person/v1/person_pb.js";
import { BookSchema, GetBookRequestSchema, SearchBooksRequestSchema, ShelfSchema } from "../../gen/transcode/v1/transcode_pb.js";
import { HealthCheckResponseSchema } from "../../gen/health/v1/health_pb.js";
import { compileBinaryWriter } from "../../src/adapters/connect/fast-lane/binary-writer.ts";
import { anyText, person, seed } from "../support/person-arbitraries.ts";

// The compiled writer must produce toBinary's very bytes, or give up
// (undefined) where it does not vouch for a value; toBinary then answers.

const same = (schema: DescMessage, message: Message, write = compileBinaryWriter(schema)) => {
  assert.ok(write, `${schema.typeName} is covered`);
  assert.deepEqual(new Uint8Array(write(message)!), toBinary(schema, message));
};
const nonNegative = (p: Message & { createTime?: { seconds: bigint }; updateTime?: { seconds: bigint } }) => (p.createTime?.seconds ?? 0n) >= 0n && (p.updateTime?.seconds ?? 0n) >= 0n;

test("persons, with any text, fields set or not, timestamps from 1970 on: the same bytes as toBinary", () => {
  const writePerson = compileBinaryWriter(PersonSchema);
  const writeResponse = compileBinaryWriter(GetPersonResponseSchema);
  fc.assert(
    fc.property(person.filter(nonNegative), (p) => {
      same(PersonSchema, p, writePerson);
      same(GetPersonResponseSchema, create(GetPersonResponseSchema, { person: p }), writeResponse);
    }),
    { numRuns: 2000, seed },
  );
  fc.assert(
    fc.property(fc.array(person.filter(nonNegative), { maxLength: 4 }), anyText, (people, nextPageToken) => same(ListPeopleResponseSchema, create(ListPeopleResponseSchema, { people, nextPageToken }))),
    { numRuns: 300, seed },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), anyText, (pageSize, pageToken) => same(ListPeopleRequestSchema, create(ListPeopleRequestSchema, { pageSize, pageToken }))),
    { numRuns: 300, seed },
  );
  same(GetPersonResponseSchema, create(GetPersonResponseSchema));
  same(DeletePersonResponseSchema, create(DeletePersonResponseSchema));
  same(PersonSchema, create(PersonSchema, { middleName: "", suffix: "" })); // explicit presence: written though empty
  same(CreatePersonRequestSchema, create(CreatePersonRequestSchema, { firstName: "Ada", middleName: "" }));
});

test("lengths that take two and three bytes, and a scratch buffer grown past what it keeps, then reused", () => {
  const write = compileBinaryWriter(ListPeopleResponseSchema)!;
  const long = (n: number, unit: string) => unit.repeat(n);
  for (const text of [long(127, "a"), long(128, "a"), long(200, "\u00e9"), long(16_383, "b"), long(16_384, "b"), long(70_000, "\u20ac"), long(600_000, "\ud83d\ude00")]) {
    const p = create(PersonSchema, { id: "x", firstName: text, lastName: text.slice(0, 3), createTime: { seconds: 1_700_000_000n, nanos: 5 } });
    same(PersonSchema, p);
    same(ListPeopleResponseSchema, create(ListPeopleResponseSchema, { people: [p, p], nextPageToken: text }), write);
  }
  const many = Array.from({ length: 1000 }, (_, i) => create(PersonSchema, { id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, firstName: `First${i}`, lastName: `Last${i}`, createTime: { seconds: BigInt(i), nanos: i } }));
  same(ListPeopleResponseSchema, create(ListPeopleResponseSchema, { people: many }), write);
  same(ListPeopleResponseSchema, create(ListPeopleResponseSchema, { people: many.slice(0, 2), nextPageToken: "t" }), write);
  const seconds = BigInt(Number.MAX_SAFE_INTEGER);
  same(TimestampSchema, create(TimestampSchema, { seconds, nanos: 2 ** 31 - 1 }));
});

test("every answer is a copy: writing the next message does not change the bytes of the last one", () => {
  const write = compileBinaryWriter(GetPersonResponseSchema)!;
  const first = write(create(GetPersonResponseSchema, { person: { id: "a", firstName: "Ada", lastName: "Lovelace" } }))!;
  const kept = Uint8Array.from(first);
  write(create(GetPersonResponseSchema, { person: { id: "b", firstName: "Grace", lastName: "Hopper" } }));
  assert.deepEqual(new Uint8Array(first), kept);
  assert.equal(fromBinary(GetPersonResponseSchema, first).person?.lastName, "Lovelace");
});

test("what the writer does not vouch for it gives up on (undefined), and toBinary answers", () => {
  const write = compileBinaryWriter(PersonSchema)!;
  const unknown = fromBinary(PersonSchema, Uint8Array.from([...toBinary(PersonSchema, create(PersonSchema, { id: "a" })), 0x98, 0x06, 0x01])); // field 99, varint 1
  assert.equal(unknown.$unknown?.length, 1);
  const bad = [
    create(PersonSchema, { createTime: { seconds: -1n, nanos: 0 } }),
    create(PersonSchema, { createTime: { seconds: BigInt(Number.MAX_SAFE_INTEGER) + 1n, nanos: 0 } }),
    create(PersonSchema, { createTime: { seconds: 0n, nanos: -1 } }),
    Object.assign(create(PersonSchema), { firstName: 42 }),
    Object.assign(create(PersonSchema), { middleName: null }),
    create(ShelfSchema, { name: "a foreign message" }),
    unknown,
  ];
  for (const message of bad) assert.equal(write(message as Message), undefined, JSON.stringify(message, (_, v) => (typeof v === "bigint" ? String(v) : v)));
  assert.equal(compileBinaryWriter(ListPeopleRequestSchema)!(create(ListPeopleRequestSchema, { pageSize: -1 })), undefined, "negative int32: ten bytes, left to toBinary");
  const wrongInside = create(GetPersonResponseSchema, { person: Object.assign(create(PersonSchema), { etag: 7 }) });
  assert.equal(compileBinaryWriter(GetPersonResponseSchema)!(wrongInside), undefined);
});

test("types it does not cover are left to toBinary: enums, booleans, packed lists, maps, other well-known types", () => {
  assert.equal(compileBinaryWriter(BookSchema), undefined, "enum field");
  assert.equal(compileBinaryWriter(GetBookRequestSchema), undefined, "bool field");
  assert.equal(compileBinaryWriter(HealthCheckResponseSchema), undefined, "enum field");
  assert.equal(compileBinaryWriter(SearchBooksRequestSchema), undefined, "enum field");
  same(ShelfSchema, create(ShelfSchema, { name: "s" }));
});
