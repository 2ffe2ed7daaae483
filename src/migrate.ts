import { ConfigError, loadConfig } from "./config/config.ts";
import { createLogger } from "./adapters/http/logger.ts";
import { mssqlClientFrom } from "./adapters/mssql/mssql-from-config.ts";

/**
 * `npm run migrate`: applies the SQL Server schema migrations and exits, for
 * deployments that run them as a separate step (then set MSSQL_MIGRATE=false
 * on the service). Safe to run from several places at once.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, STORE: "mssql" });
  const logger = createLogger(config.LOG_LEVEL);
  const mssql = mssqlClientFrom(config, { min: 0, max: 1 });
  try {
    logger.info({ mssql: mssql.target, applied: await mssql.migrate() }, "migrations done");
  } finally {
    await mssql.client.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`personsvc migrate: ${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
  process.exit(1);
});
