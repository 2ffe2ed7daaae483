import { TYPES } from "tedious";
import type { EpochNanos, Person, PersonNames } from "../../domain/person.ts";
import { personLimits } from "../../domain/person.ts";
import type { NewPerson } from "../../application/ports/person-repository.port.ts";
import type { SqlParam, SqlRow } from "./mssql-connection.ts";

/** A Date as tedious reads datetime2: sub-millisecond part in `nanosecondsDelta` (seconds). */
type TediousTime = Date & { nanosecondsDelta?: number };

const nsPerMs = 1_000_000n;

/**
 * Epoch nanoseconds -> the Date tedious writes as datetime2(7): whole
 * milliseconds in the Date, the rest in `nanosecondDelta` (seconds; tedious
 * spells the write side without the "s"). datetime2(7) keeps 100 ns.
 */
export function toSqlTime(nanos: EpochNanos): Date {
  const ms = nanos / nsPerMs;
  const date = new Date(Number(ms)) as Date & { nanosecondDelta?: number };
  date.nanosecondDelta = Number(nanos - ms * nsPerMs) / 1e9;
  return date;
}

/** A datetime2(7) read with useUTC -> epoch nanoseconds, 100 ns ticks included. */
export function fromSqlTime(value: TediousTime): EpochNanos {
  const ticks = Math.round((value.nanosecondsDelta ?? 0) * 1e7);
  return BigInt(value.getTime()) * nsPerMs + BigInt(ticks) * 100n;
}

/** The etag is the row's ROWVERSION, in hex. */
export function etagOf(rowVersion: Buffer): string {
  return rowVersion.toString("hex");
}

/** An etag as the ROWVERSION bytes it names, or undefined when it cannot name one. */
export function rowVersionOf(etag: string): Buffer | undefined {
  return /^[0-9a-f]{16}$/.test(etag) ? Buffer.from(etag, "hex") : undefined;
}

/** Column list of every person SELECT/OUTPUT, each alias bracketed (Babelfish lower-cases bare ones). */
export function personColumns(prefix: string): string {
  return ["id", "first_name", "middle_name", "last_name", "suffix", "create_time", "update_time", "row_version"]
    .map((c) => `${prefix}${c} AS [${c}]`)
    .join(", ");
}

/** Row -> domain. */
export function toDomain(row: SqlRow): Person {
  return {
    id: row.id as string,
    firstName: row.first_name as string,
    middleName: row.middle_name as string | null,
    lastName: row.last_name as string,
    suffix: row.suffix as string | null,
    createTime: fromSqlTime(row.create_time as TediousTime),
    updateTime: row.update_time === null ? null : fromSqlTime(row.update_time as TediousTime),
    etag: etagOf(row.row_version as Buffer),
  };
}

/** The id parameter: always UNIQUEIDENTIFIER, never a string in NVARCHAR. */
export const idParam = (name: string, id: string | null): SqlParam => ({ name, type: TYPES.UniqueIdentifier, value: id });

/** A datetime2(7) parameter. */
export const timeParam = (name: string, nanos: EpochNanos): SqlParam => ({
  name,
  type: TYPES.DateTime2,
  value: toSqlTime(nanos),
  options: { scale: 7 },
});

/** The name parameters, NVARCHAR with exactly the columns' declared lengths. */
export function namesParams(names: PersonNames): SqlParam[] {
  const nvarchar = (name: string, value: string | null, length: number): SqlParam => ({
    name,
    type: TYPES.NVarChar,
    value,
    options: { length },
  });
  return [
    nvarchar("first_name", names.firstName, personLimits.firstName),
    nvarchar("middle_name", names.middleName, personLimits.middleName),
    nvarchar("last_name", names.lastName, personLimits.lastName),
    nvarchar("suffix", names.suffix, personLimits.suffix),
  ];
}

/** Domain -> the parameters of the INSERT. */
export function toPersistence(person: NewPerson): SqlParam[] {
  return [idParam("id", person.id), ...namesParams(person), timeParam("create_time", person.createTime)];
}

/** The optional etag condition: VARBINARY(8) (Babelfish compares ROWVERSION only with VarBinary). */
export const etagParam = (rowVersion: Buffer | null): SqlParam => ({
  name: "etag",
  type: TYPES.VarBinary,
  value: rowVersion,
  options: { length: 8 },
});
