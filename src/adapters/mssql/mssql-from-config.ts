import type { Config } from "../../config/config.ts";
import { createMssqlClient, type MssqlClient } from "./mssql-client.ts";
import { migrate } from "./mssql-migrate.ts";
import { describeSettings, mssqlSettingsFrom, toTediousConfig } from "./mssql-settings.ts";

/** Migrations get at least a minute per script, whatever the statement timeout. */
const migrationTimeoutMs = (config: Config) => Math.max(config.MSSQL_REQUEST_TIMEOUT_MS, 60_000);

/**
 * The SQL Server client the config describes (pool size overridable, e.g. 1
 * for the migration command), with what may be logged about where it points.
 */
export function mssqlClientFrom(config: Config, pool: { min: number; max: number } = { min: config.MSSQL_POOL_MIN, max: config.MSSQL_POOL_MAX }) {
  const settings = mssqlSettingsFrom(config);
  const client: MssqlClient = createMssqlClient(toTediousConfig(settings), {
    poolMin: pool.min,
    poolMax: pool.max,
    acquireTimeoutMs: config.MSSQL_ACQUIRE_TIMEOUT_MS,
    maxRetries: config.MSSQL_MAX_RETRIES,
    retryBaseDelayMs: 50,
  });
  return {
    client,
    target: describeSettings(settings),
    /** Applies the pending schema migrations; resolves to the versions applied. */
    migrate: () => migrate(client, migrationTimeoutMs(config)),
  };
}
