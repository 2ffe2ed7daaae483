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
  const [{ mssqlClientFrom }, { createMssqlPersonRepository }] = await Promise.all([
    import("./adapters/mssql/mssql-from-config.ts"),
    import("./adapters/mssql/mssql-person-repository.ts"),
  ]);
  const mssql = mssqlClientFrom(config);
  logger.info({ mssql: mssql.target }, "using SQL Server");
  if (config.MSSQL_MIGRATE) logger.info({ applied: await mssql.migrate() }, "schema migrations checked");
  return createMssqlPersonRepository(mssql.client, config.MSSQL_REQUEST_TIMEOUT_MS);
}
