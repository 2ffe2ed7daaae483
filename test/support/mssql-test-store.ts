import { createMssqlClient, type MssqlClientOptions } from "../../src/adapters/mssql/mssql-client.ts";
import { createMssqlPersonRepository } from "../../src/adapters/mssql/mssql-person-repository.ts";
import { toTediousConfig } from "../../src/adapters/mssql/mssql-settings.ts";
import type { PersonRepository } from "../../src/application/ports/person-repository.port.ts";

/** The connection string of a TDS responder on `port`. */
export const responderConnectionString = (port: number, password = "responder-pw") =>
  `Server=127.0.0.1,${port};Database=personsvc;User Id=sa;Password=${password};Encrypt=false;TrustServerCertificate=true`;

/** The MSSQL repository pointed at a local TDS responder, with small timeouts for tests. */
export function mssqlRepositoryOn(
  port: number,
  options: Partial<MssqlClientOptions> & { statementTimeoutMs?: number } = {},
): PersonRepository {
  const client = createMssqlClient(
    toTediousConfig({
      server: "127.0.0.1",
      port,
      instanceName: undefined,
      database: "personsvc",
      userName: "sa",
      password: "responder-pw",
      encrypt: false,
      trustServerCertificate: true,
      connectTimeoutMs: 2000,
      requestTimeoutMs: 2000,
    }),
    { poolMin: 0, poolMax: 4, acquireTimeoutMs: 1000, maxRetries: 3, retryBaseDelayMs: 5, ...options },
  );
  return createMssqlPersonRepository(client, options.statementTimeoutMs ?? 2000);
}
