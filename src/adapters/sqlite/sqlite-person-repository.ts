import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { PersonRepository, StoreCallOptions } from "../../application/ports/person-repository.port.ts";
import { migrate } from "./sqlite-schema.ts";
import { personColumns, toDomain, toPersistence, versionOfEtag, type PersonRow } from "./person-row.mapper.ts";
import { translateSqliteError } from "./sqlite-errors.ts";

/** A prepared statement whose rows are `person` rows (`setReturnArrays`): PersonRow tuples. */
interface PersonStatement {
  get(...params: SQLInputValue[] | [Record<string, SQLInputValue>]): PersonRow | undefined;
  all(...params: SQLInputValue[]): PersonRow[];
}

/** Options of the embedded store. */
export interface SqliteStoreOptions {
  /** A file path, or ":memory:". Parent folders are created. */
  readonly path: string;
  /** How long a write waits for another process's lock before UNAVAILABLE. */
  readonly busyTimeoutMs?: number;
}

/**
 * The embedded PersonRepository on node:sqlite. WAL with synchronous=FULL: a
 * write is on disk before the call returns. Every statement is prepared once
 * and parameterised.
 */
export function createSqlitePersonRepository(options: SqliteStoreOptions): PersonRepository {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const busyTimeoutMs = options.busyTimeoutMs ?? 2000;
  const db = new DatabaseSync(options.path, { timeout: busyTimeoutMs });
  retryWhileBusy(busyTimeoutMs, () => {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
    migrate(db);
  });

  const prepare = (sql: string): StatementSync => {
    const statement = db.prepare(sql);
    statement.setReadBigInts(true);
    return statement;
  };
  /** A statement that returns `person` rows, as PersonRow arrays. */
  const preparePersons = (sql: string): PersonStatement => {
    const statement = prepare(sql);
    statement.setReturnArrays(true);
    // node:sqlite types every row as an object, arrays on or not: the one place the row type is asserted.
    return statement as unknown as PersonStatement;
  };
  const sql = {
    get: preparePersons(`SELECT ${personColumns} FROM person WHERE id = ?`),
    listFirst: preparePersons(`SELECT ${personColumns} FROM person ORDER BY last_name, first_name, id LIMIT ?`),
    listAfter: preparePersons(
      `SELECT ${personColumns} FROM person WHERE (last_name, first_name, id) > (?, ?, ?)
       ORDER BY last_name, first_name, id LIMIT ?`,
    ),
    insert: preparePersons(
      `INSERT INTO person (id, first_name, middle_name, last_name, suffix, create_time, version)
       VALUES ($id, $first_name, $middle_name, $last_name, $suffix, $create_time, 1) RETURNING ${personColumns}`,
    ),
    findRequest: prepare("SELECT fingerprint, person_id FROM create_request WHERE request_id = ? AND create_time >= ?"),
    // Replaces an expired key of the same id.
    insertRequest: prepare(
      "INSERT OR REPLACE INTO create_request (request_id, fingerprint, person_id, create_time) VALUES (?, ?, ?, ?)",
    ),
    sweepRequests: prepare("DELETE FROM create_request WHERE create_time < ?"),
    update: preparePersons(
      `UPDATE person SET first_name = ?, middle_name = ?, last_name = ?, suffix = ?, update_time = ?,
       version = version + 1 WHERE id = ? AND (? IS NULL OR version = ?) RETURNING ${personColumns}`,
    ),
    delete: prepare("DELETE FROM person WHERE id = ? AND (? IS NULL OR version = ?)"),
    exists: prepare("SELECT 1 AS found FROM person WHERE id = ?"),
    ping: prepare("SELECT 1 AS ok"),
  };

  /** Expired request keys are swept at most once a minute (of the clock the keys carry). */
  const sweepEveryNs = 60_000_000_000n;
  let lastSweep = 0n;

  /** Runs `work` unless the caller already gave up; store outages become AppErrors. */
  function run<T>({ signal }: StoreCallOptions, work: () => T): Promise<T> {
    try {
      signal?.throwIfAborted();
      return Promise.resolve(work());
    } catch (e) {
      return Promise.reject(translateSqliteError(e));
    }
  }

  /** Runs `work` in a write transaction. */
  function transaction<T>(work: () => T): T {
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      db.exec("COMMIT");
      return result;
    } catch (e) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw e;
    }
  }

  /** Whether the etag names no version, or the version it names is not current. */
  const conditionOf = (etag: string | undefined) => {
    if (etag === undefined) return { version: null, impossible: false };
    const version = versionOfEtag(etag);
    return { version: version ?? null, impossible: version === undefined };
  };

  return {
    get: (id, opts) =>
      run(opts, () => {
        const row = sql.get.get(id);
        return row && toDomain(row);
      }),

    list: ({ limit, after }, opts) =>
      run(opts, () => {
        const rows = after
          ? sql.listAfter.all(after.lastName, after.firstName, after.id, limit)
          : sql.listFirst.all(limit);
        return rows.map(toDomain);
      }),

    create: (person, key, opts) =>
      run(opts, () =>
        transaction(() => {
          if (key) {
            if (key.notBefore - lastSweep > sweepEveryNs) {
              sql.sweepRequests.run(key.notBefore);
              lastSweep = key.notBefore;
            }
            const earlier = sql.findRequest.get(key.requestId, key.notBefore) as
              | { fingerprint: string; person_id: string }
              | undefined;
            if (earlier) {
              if (earlier.fingerprint !== key.fingerprint) return { kind: "key-reused" } as const;
              const row = sql.get.get(earlier.person_id);
              return row
                ? ({ kind: "replayed", person: toDomain(row) } as const)
                : ({ kind: "replayed-gone", id: earlier.person_id } as const);
            }
            sql.insertRequest.run(key.requestId, key.fingerprint, person.id, person.createTime);
          }
          const row = sql.insert.get(toPersistence(person))!; // RETURNING: one row per insert
          return { kind: "created", person: toDomain(row) } as const;
        }),
      ),

    update: (id, names, updateTime, etag, opts) =>
      run(opts, () =>
        transaction(() => {
          const { version, impossible } = conditionOf(etag);
          if (!impossible) {
            const row = sql.update.get(
              names.firstName,
              names.middleName,
              names.lastName,
              names.suffix,
              updateTime,
              id,
              version,
              version,
            );
            if (row) return { kind: "done", value: toDomain(row) } as const;
          }
          return sql.exists.get(id) ? ({ kind: "etag-mismatch" } as const) : ({ kind: "not-found" } as const);
        }),
      ),

    delete: (id, etag, opts) =>
      run(opts, () =>
        transaction(() => {
          const { version, impossible } = conditionOf(etag);
          if (!impossible && sql.delete.run(id, version, version).changes > 0) {
            return { kind: "done", value: undefined } as const;
          }
          return sql.exists.get(id) ? ({ kind: "etag-mismatch" } as const) : ({ kind: "not-found" } as const);
        }),
      ),

    ping: (opts) => run(opts, () => void sql.ping.get()),

    close: async () => {
      if (db.isOpen) db.close();
    },
  };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `step` again while SQLite answers "database is locked" without having
 * waited: processes opening a new file together (WORKERS > 1) each try to
 * switch it to WAL, and SQLite fails all but one at once instead of letting
 * them wait (its deadlock avoidance), busy timeout or not. Start-up only:
 * the pauses block the thread.
 */
function retryWhileBusy(timeoutMs: number, step: () => void): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      step();
      return;
    } catch (e) {
      const busy = ((e as { errcode?: number }).errcode ?? 0) % 256 === 5; // SQLITE_BUSY and its extended codes
      if (!busy || Date.now() >= deadline) throw e;
      Atomics.wait(pause, 0, 0, 5 + Math.random() * 20);
    }
  }
}
