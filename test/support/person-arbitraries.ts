import fc from "fast-check";
import { create } from "@bufbuild/protobuf";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { PersonSchema } from "../../gen/person/v1/person_pb.js";

// Arbitraries for the property tests of the compiled writers.

/** The seed the writers' property tests run with. */
export const seed = 20261203;
/** Any text: arbitrary code units (lone surrogates, controls) and the characters JSON escapes. */
export const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 }).map((codes) => String.fromCharCode(...codes)), // lone surrogates, controls
  fc.constantFrom("", '"', "\\", "\u2028", "</script>", "__proto__"),
);
/** The first second a Timestamp may hold (0001-01-01T00:00:00Z). */
export const secondsMin = -62135596800n;
/** The last second a Timestamp may hold (9999-12-31T23:59:59Z). */
export const secondsMax = 253402300799n;
/** Nanoseconds written with 0, 3, 6 or 9 fraction digits. */
export const nanos = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 }).map((n) => n * 1_000_000), fc.integer({ min: 1, max: 999_999 }).map((n) => n * 1000), fc.integer({ min: 0, max: 999_999_999 }));
/** A Timestamp anywhere in its range. */
export const timestamp = fc.record({ seconds: fc.oneof(fc.bigInt({ min: secondsMin, max: secondsMax }), fc.constantFrom(secondsMin, secondsMax, 0n, -1n, 951782400n, 4107456000n)), nanos }).map((t) => create(TimestampSchema, t));
/** A Person with any of its fields set or not. */
export const person = fc
  .record(
    {
      id: anyText,
      firstName: anyText,
      middleName: anyText,
      lastName: anyText,
      suffix: anyText,
      createTime: timestamp,
      updateTime: timestamp,
      etag: anyText,
    },
    { requiredKeys: [] },
  )
  .map((init) => create(PersonSchema, init));
