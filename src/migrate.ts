import { ConfigError, loadConfig } from "./config/config.ts";
import { createLogger } from "./adapters/http/logger.ts";
import { createMssqlClient } from "./adapters/mssql/mssql-client.ts";
import { migrate } from "./adapters/mssql/mssql-migrate.ts";
import { describeSettings, mssqlSettingsFrom, toTediousConfig } from "./adapters/mssql/mssql-settings.ts";

/**
 * `npm run migrate`: applies the SQL Server schema migrations and exits, for
 * deployments that run them as a separate step (then set MSSQL_MIGRATE=false
 * on the service). Safe to run from several places at once.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, STORE: "mssql" });
  const logger = createLogger(config.LOG_LEVEL);
  const settings = mssqlSettingsFrom(config);
  const client = createMssqlClient(toTediousConfig(settings), {
    poolMin: 0,
    poolMax: 1,
    acquireTimeoutMs: config.MSSQL_ACQUIRE_TIMEOUT_MS,
    maxRetries: config.MSSQL_MAX_RETRIES,
    retryBaseDelayMs: 100,
  });
  try {
    const applied = await migrate(client, Math.max(config.MSSQL_REQUEST_TIMEOUT_MS, 60_000));
    logger.info({ mssql: describeSettings(settings), applied }, "migrations done");
  } finally {
    await client.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`personsvc migrate: ${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
  process.exit(1);
});
