import type { DatabaseSync } from "node:sqlite";

/**
 * Schema versions, applied in order; `PRAGMA user_version` records how many
 * have run. Append only: never edit a migration that has shipped.
 */
const migrations: readonly string[] = [
  `CREATE TABLE person (
     id          TEXT    NOT NULL PRIMARY KEY,  -- canonical lowercase UUID
     first_name  TEXT    NOT NULL,
     middle_name TEXT,                          -- NULL unknown, '' none
     last_name   TEXT    NOT NULL,
     suffix      TEXT,
     create_time INTEGER NOT NULL,              -- ns since epoch, UTC
     update_time INTEGER,                       -- NULL until first update
     version     INTEGER NOT NULL               -- etag source, +1 per write
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX person_by_name ON person (last_name, first_name, id);
   CREATE TABLE create_request (
     request_id  TEXT    NOT NULL PRIMARY KEY,
     fingerprint TEXT    NOT NULL,
     person_id   TEXT    NOT NULL,
     create_time INTEGER NOT NULL
   ) STRICT, WITHOUT ROWID;`,
  `CREATE INDEX create_request_by_time ON create_request (create_time);`,
];

/**
 * Brings the database to the latest schema version, in one transaction per
 * step. Each step reads the version inside its write transaction: processes
 * starting together on one file (WORKERS > 1) each apply a step at most once.
 */
export function migrate(db: DatabaseSync): void {
  for (;;) {
    db.exec("BEGIN IMMEDIATE");
    try {
      const current = Number((db.prepare("PRAGMA user_version").get() as { user_version: number | bigint }).user_version);
      if (current > migrations.length) {
        throw new Error(`database schema version ${current} is newer than this build knows (${migrations.length})`);
      }
      if (current === migrations.length) {
        db.exec("COMMIT");
        return;
      }
      db.exec(migrations[current]!);
      db.exec(`PRAGMA user_version = ${current + 1}`);
      db.exec("COMMIT");
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
  }
}
