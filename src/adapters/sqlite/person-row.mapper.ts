import type { Person } from "../../domain/person.ts";
import type { NewPerson } from "../../application/ports/person-repository.port.ts";

/** A `person` row as node:sqlite returns it with big integers on. */
export interface PersonRow {
  id: string;
  first_name: string;
  middle_name: string | null;
  last_name: string;
  suffix: string | null;
  create_time: bigint;
  update_time: bigint | null;
  version: bigint;
}

/** Column list matching `PersonRow`, for SELECT and RETURNING. */
export const personColumns = "id, first_name, middle_name, last_name, suffix, create_time, update_time, version";

/** Row -> domain. The etag is the row version in decimal. */
export function toDomain(row: PersonRow): Person {
  return {
    id: row.id,
    firstName: row.first_name,
    middleName: row.middle_name,
    lastName: row.last_name,
    suffix: row.suffix,
    createTime: row.create_time,
    updateTime: row.update_time,
    etag: row.version.toString(10),
  };
}

/** Domain -> named parameters of the INSERT. */
export function toPersistence(person: NewPerson) {
  return {
    $id: person.id,
    $first_name: person.firstName,
    $middle_name: person.middleName,
    $last_name: person.lastName,
    $suffix: person.suffix,
    $create_time: person.createTime,
  };
}

/** An etag as the row version it names, or undefined when it cannot name one. */
export function versionOfEtag(etag: string): bigint | undefined {
  return /^[1-9][0-9]{0,18}$/.test(etag) ? BigInt(etag) : undefined;
}
