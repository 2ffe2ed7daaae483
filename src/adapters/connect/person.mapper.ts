import { create } from "@bufbuild/protobuf";
import { TimestampSchema, type Timestamp } from "@bufbuild/protobuf/wkt";
import { PersonSchema, type Person as PersonMessage } from "../../../gen/person/v1/person_pb.js";
import type { EpochNanos, Person } from "../../domain/person.ts";

const nanosPerSecond = 1_000_000_000n;

/** Epoch nanoseconds -> google.protobuf.Timestamp, keeping every nanosecond. */
export function toTimestamp(nanos: EpochNanos): Timestamp {
  const seconds = nanos / nanosPerSecond;
  return create(TimestampSchema, { seconds, nanos: Number(nanos - seconds * nanosPerSecond) });
}

/** Domain person -> the person.v1.Person message clients receive. */
export function toResponse(person: Person): PersonMessage {
  return create(PersonSchema, {
    id: person.id,
    firstName: person.firstName,
    middleName: person.middleName ?? undefined,
    lastName: person.lastName,
    suffix: person.suffix ?? undefined,
    createTime: toTimestamp(person.createTime),
    updateTime: person.updateTime === null ? undefined : toTimestamp(person.updateTime),
    etag: person.etag,
  });
}
