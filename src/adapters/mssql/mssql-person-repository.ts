import { TYPES } from "tedious";
import type { CreateOutcome, PersonRepository } from "../../application/ports/person-repository.port.ts";
import type { MssqlClient } from "./mssql-client.ts";
import { execute, type PooledConnection, type SqlParam } from "./mssql-connection.ts";
import { personLimits } from "../../domain/person.ts";
import { classify } from "./mssql-errors.ts";
import {
  etagParam,
  idParam,
  namesParams,
  personColumns,
  rowVersionOf,
  timeParam,
  toDomain,
  toPersistence,
} from "./person-row.mapper.ts";

const cols = personColumns("p.");
const order = "ORDER BY p.last_name, p.first_name, p.id";

/** Every statement, named by a leading comment that shows up in DBA traces. */
const sql = {
  get: `/* personsvc:get-person */ SELECT ${cols} FROM dbo.person AS p WHERE p.id = @id`,
  listFirst: `/* personsvc:list-people */ SELECT TOP (@limit) ${cols} FROM dbo.person AS p ${order}`,
  // No row-value comparison in T-SQL: the keyset condition spelled out.
  listAfter: `/* personsvc:list-people */ SELECT TOP (@limit) ${cols} FROM dbo.person AS p
    WHERE p.last_name > @last_name
       OR (p.last_name = @last_name AND (p.first_name > @first_name OR (p.first_name = @first_name AND p.id > @id)))
    ${order}`,
  create: `/* personsvc:create-person */
SET XACT_ABORT ON;
DECLARE @outcome VARCHAR(16) = 'created', @ref UNIQUEIDENTIFIER = @id, @seen VARCHAR(64);
BEGIN TRANSACTION;
IF @request_id IS NOT NULL
BEGIN
  IF @sweep = 1 DELETE TOP (1000) FROM dbo.create_request WHERE create_time < @not_before;
  SELECT @ref = person_id, @seen = fingerprint FROM dbo.create_request WITH (UPDLOCK, HOLDLOCK)
    WHERE request_id = @request_id AND create_time >= @not_before;
  IF @seen IS NULL
  BEGIN
    DELETE FROM dbo.create_request WHERE request_id = @request_id; -- an expired key of the same id
    INSERT INTO dbo.create_request (request_id, fingerprint, person_id, create_time)
      VALUES (@request_id, @fingerprint, @id, @create_time);
  END
  ELSE
    SET @outcome = CASE WHEN @seen = @fingerprint THEN 'replayed' ELSE 'key-reused' END;
END
IF @outcome = 'created'
  INSERT INTO dbo.person (id, first_name, middle_name, last_name, suffix, create_time)
    VALUES (@id, @first_name, @middle_name, @last_name, @suffix, @create_time);
COMMIT TRANSACTION;
SELECT @outcome AS [outcome], @ref AS [ref_id], ${cols}
  FROM (VALUES (1)) AS one (x) LEFT JOIN dbo.person AS p ON p.id = @ref;`,
  // Row counts of OUTPUT statements are 0 on Babelfish: count returned rows.
  update: `/* personsvc:update-person */
UPDATE dbo.person SET first_name = @first_name, middle_name = @middle_name, last_name = @last_name,
  suffix = @suffix, update_time = @update_time
  OUTPUT ${personColumns("INSERTED.")}
  WHERE id = @id AND (@etag IS NULL OR row_version = @etag);
SELECT CASE WHEN EXISTS (SELECT 1 FROM dbo.person WHERE id = @id) THEN 1 ELSE 0 END AS [exists_now];`,
  delete: `/* personsvc:delete-person */
DELETE FROM dbo.person OUTPUT DELETED.id AS [deleted_id] WHERE id = @id AND (@etag IS NULL OR row_version = @etag);
SELECT CASE WHEN EXISTS (SELECT 1 FROM dbo.person WHERE id = @id) THEN 1 ELSE 0 END AS [exists_now];`,
  ping: `/* personsvc:ping */ SELECT 1 AS [ok]`,
};

/** The etag condition parameter, or undefined when the etag names no row version (it can never match). */
function condition(etag: string | undefined): SqlParam | undefined {
  if (etag === undefined) return etagParam(null);
  const version = rowVersionOf(etag);
  return version && etagParam(version);
}

/**
 * PersonRepository on SQL Server (and Babelfish) through tedious. Reads and
 * creates (made idempotent by their client-side id) retry on transient
 * failures; updates and deletes retry only when the server rolled them back.
 */
export function createMssqlPersonRepository(client: MssqlClient, statementTimeoutMs: number): PersonRepository {
  const timeoutMs = statementTimeoutMs;
  /** Expired request keys are swept (1,000 at a time) at most once a minute of the keys' clock. */
  const sweepEveryNs = 60_000_000_000n;
  let lastSweep = 0n;
  /** For an etag that cannot match: ABORTED if the person exists, NOT_FOUND if not. */
  const mismatchOrMissing = async (conn: PooledConnection, id: string, signal: AbortSignal | undefined) => {
    const [row] = await execute(conn, sql.get, [idParam("id", id)], { signal, timeoutMs });
    return row ? ({ kind: "etag-mismatch" } as const) : ({ kind: "not-found" } as const);
  };
  return {
    get: (id, { signal }) =>
      client.run("idempotent", signal, async (conn) => {
        const [row] = await execute(conn, sql.get, [idParam("id", id)], { signal, timeoutMs });
        return row && toDomain(row);
      }),

    list: ({ limit, after }, { signal }) =>
      client.run("idempotent", signal, async (conn) => {
        const limitParam = { name: "limit", type: TYPES.Int, value: limit };
        const rows = after
          ? await execute(
              conn,
              sql.listAfter,
              [
                limitParam,
                { name: "last_name", type: TYPES.NVarChar, value: after.lastName, options: { length: personLimits.lastName } },
                { name: "first_name", type: TYPES.NVarChar, value: after.firstName, options: { length: personLimits.firstName } },
                idParam("id", after.id),
              ],
              { signal, timeoutMs },
            )
          : await execute(conn, sql.listFirst, [limitParam], { signal, timeoutMs });
        return rows.map(toDomain);
      }),

    create: (person, key, { signal }) =>
      client.run("idempotent", signal, async (conn, attempt): Promise<CreateOutcome> => {
        const sweep = key !== undefined && key.notBefore - lastSweep > sweepEveryNs;
        if (sweep) lastSweep = key.notBefore;
        const params = [
          ...toPersistence(person),
          idParam("request_id", key?.requestId ?? null),
          { name: "fingerprint", type: TYPES.VarChar, value: key?.fingerprint ?? null, options: { length: 64 } },
          timeParam("not_before", key?.notBefore ?? 0n),
          { name: "sweep", type: TYPES.Bit, value: sweep },
        ];
        try {
          const [row] = await execute(conn, sql.create, params, { signal, timeoutMs });
          const outcome = row!.outcome as string;
          if (outcome === "key-reused") return { kind: "key-reused" };
          if (row!.id === null) return { kind: "replayed-gone", id: row!.ref_id as string };
          return { kind: outcome === "created" ? "created" : "replayed", person: toDomain(row!) };
        } catch (e) {
          // A retry whose first attempt committed before the connection broke
          // meets its own row: the person id is the idempotency key.
          if (attempt > 1 && classify(e) === "unique-violation") {
            const [row] = await execute(conn, sql.get, [idParam("id", person.id)], { signal, timeoutMs });
            if (row) return { kind: "created", person: toDomain(row) };
          }
          throw e;
        }
      }),

    update: (id, names, updateTime, etag, { signal }) =>
      client.run("rolled-back-only", signal, async (conn) => {
        const param = condition(etag);
        if (param === undefined) return mismatchOrMissing(conn, id, signal);
        const rows = await execute(
          conn,
          sql.update,
          [idParam("id", id), ...namesParams(names), timeParam("update_time", updateTime), param],
          { signal, timeoutMs },
        );
        const updated = rows.find((r) => "row_version" in r);
        if (updated) return { kind: "done", value: toDomain(updated) } as const;
        return rows.at(-1)?.exists_now === 1 ? ({ kind: "etag-mismatch" } as const) : ({ kind: "not-found" } as const);
      }),

    delete: (id, etag, { signal }) =>
      client.run("rolled-back-only", signal, async (conn) => {
        const param = condition(etag);
        if (param === undefined) return mismatchOrMissing(conn, id, signal);
        const rows = await execute(conn, sql.delete, [idParam("id", id), param], { signal, timeoutMs });
        if (rows.some((r) => "deleted_id" in r)) return { kind: "done", value: undefined } as const;
        return rows.at(-1)?.exists_now === 1 ? ({ kind: "etag-mismatch" } as const) : ({ kind: "not-found" } as const);
      }),

    ping: ({ signal }) =>
      client.run("idempotent", signal, async (conn) => {
        await execute(conn, sql.ping, [], { signal, timeoutMs });
      }),

    close: () => client.close(),

    stats: () => client.stats(),
  };
}
