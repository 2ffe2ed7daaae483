/**
 * Nanoseconds since the Unix epoch, in UTC. Wide enough for the 100 ns
 * precision of SQL Server's datetime2(7) and for google.protobuf.Timestamp.
 */
export type EpochNanos = bigint;

/** The names of a person: what a client may set. */
export interface PersonNames {
  readonly firstName: string;
  /** `null` when unknown; `""` when the person has none. */
  readonly middleName: string | null;
  readonly lastName: string;
  /** `null` when unknown. */
  readonly suffix: string | null;
}

/** A stored person. */
export interface Person extends PersonNames {
  /** Canonical lowercase UUID. */
  readonly id: string;
  readonly createTime: EpochNanos;
  /** `null` until the first update. */
  readonly updateTime: EpochNanos | null;
  /** Opaque version tag chosen by the store. */
  readonly etag: string;
}

/** Limits of the person's fields, counted in UTF-16 code units as NVARCHAR counts. */
export const personLimits = {
  firstName: 50,
  middleName: 50,
  lastName: 100,
  suffix: 20,
  etag: 128,
} as const;

/** The order of a list: last name, first name, then id. */
export interface PersonSortKey {
  readonly lastName: string;
  readonly firstName: string;
  readonly id: string;
}

/** The sort key of a person, used as a keyset pagination cursor. */
export function sortKeyOf(person: Person): PersonSortKey {
  return { lastName: person.lastName, firstName: person.firstName, id: person.id };
}
