import type { Logger } from "pino";
import type { PersonRepository } from "./application/ports/person-repository.port.ts";
import type { Config } from "./config/config.ts";
import { createSqlitePersonRepository } from "./adapters/sqlite/sqlite-person-repository.ts";

/**
 * Part of the composition root: the PersonRepository the config asks for,
 * with its schema brought up to date.
 */
export async function createRepository(config: Config, logger: Logger): Promise<PersonRepository> {
  if (config.STORE === "sqlite") return createSqlitePersonRepository({ path: config.SQLITE_PATH });
  // Loaded only when used: tedious and its Azure identity stack cost start-up time and memory.
  const [{ createMssqlClient }, { migrate }, { createMssqlPersonRepository }, { describeSettings, mssqlSettingsFrom, toTediousConfig }] =
    await Promise.all([
      import("./adapters/mssql/mssql-client.ts"),
      import("./adapters/mssql/mssql-migrate.ts"),
      import("./adapters/mssql/mssql-person-repository.ts"),
      import("./adapters/mssql/mssql-settings.ts"),
    ]);
  const settings = mssqlSettingsFrom(config);
  logger.info({ mssql: describeSettings(settings) }, "using SQL Server");
  const client = createMssqlClient(toTediousConfig(settings), {
    poolMin: config.MSSQL_POOL_MIN,
    poolMax: config.MSSQL_POOL_MAX,
    acquireTimeoutMs: config.MSSQL_ACQUIRE_TIMEOUT_MS,
    maxRetries: config.MSSQL_MAX_RETRIES,
    retryBaseDelayMs: 50,
  });
  if (config.MSSQL_MIGRATE) {
    const applied = await migrate(client, Math.max(config.MSSQL_REQUEST_TIMEOUT_MS, 60_000));
    logger.info({ applied }, "schema migrations checked");
  }
  return createMssqlPersonRepository(client, config.MSSQL_REQUEST_TIMEOUT_MS);
}
