import { readdirSync, readFileSync } from "node:fs";
import { TYPES } from "tedious";
import type { MssqlClient } from "./mssql-client.ts";
import { execute } from "./mssql-connection.ts";
import { projectRoot } from "../../project-root.ts";

const migrationsDir = new URL("src/adapters/mssql/migrations/", projectRoot);

/** The versioned schema scripts, `NNN-name.sql`, in order. */
export function loadMigrations(): Array<{ version: number; name: string; script: string }> {
  return readdirSync(migrationsDir)
    .filter((f) => /^\d{3}-[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f, script: readFileSync(new URL(f, migrationsDir), "utf8") }));
}

/**
 * Applies one migration if it has not run yet, under an exclusive application
 * lock held by its transaction, so replicas starting together apply each
 * script exactly once. No MERGE or CREATE OR ALTER: Babelfish lacks them.
 */
const applyOne = `/* personsvc:migrate */
SET XACT_ABORT ON;
BEGIN TRANSACTION;
DECLARE @lock INT;
EXEC @lock = sp_getapplock @Resource = N'personsvc.schema', @LockMode = N'Exclusive',
  @LockOwner = N'Transaction', @LockTimeout = 60000;
IF @lock < 0 THROW 50001, N'could not take the schema lock', 1;
IF OBJECT_ID(N'dbo.schema_version', N'U') IS NULL
  CREATE TABLE dbo.schema_version (
    version    INT           NOT NULL CONSTRAINT schema_version_pk PRIMARY KEY,
    name       NVARCHAR(200) NOT NULL,
    applied_at DATETIME2(7)  NOT NULL CONSTRAINT schema_version_applied DEFAULT SYSUTCDATETIME()
  );
DECLARE @applied INT = 0;
IF NOT EXISTS (SELECT 1 FROM dbo.schema_version WHERE version = @version)
BEGIN
  EXEC sp_executesql @script;
  INSERT INTO dbo.schema_version (version, name) VALUES (@version, @name);
  SET @applied = 1;
END
COMMIT TRANSACTION;
SELECT @applied AS [applied];`;

/** Brings the database to the latest schema; returns the versions this call applied. */
export async function migrate(client: MssqlClient, timeoutMs: number): Promise<number[]> {
  const applied: number[] = [];
  for (const m of loadMigrations()) {
    const rows = await client.run("rolled-back-only", undefined, (conn) =>
      execute(
        conn,
        applyOne,
        [
          { name: "version", type: TYPES.Int, value: m.version },
          { name: "name", type: TYPES.NVarChar, value: m.name, options: { length: 200 } },
          { name: "script", type: TYPES.NVarChar, value: m.script },
        ],
        { timeoutMs },
      ),
    );
    if (rows.at(-1)?.applied === 1) applied.push(m.version);
  }
  return applied;
}
