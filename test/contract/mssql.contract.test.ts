import { after } from "node:test";
import { createMssqlClient } from "../../src/adapters/mssql/mssql-client.ts";
import { migrate } from "../../src/adapters/mssql/mssql-migrate.ts";
import { createMssqlPersonRepository } from "../../src/adapters/mssql/mssql-person-repository.ts";
import { mssqlSettingsFrom, toTediousConfig } from "../../src/adapters/mssql/mssql-settings.ts";
import { loadConfig } from "../../src/config/config.ts";
import { createFakePersonDb } from "../support/tds/fake-person-db.ts";
import { startTdsResponder, type TdsResponder } from "../support/tds/tds-responder.ts";
import { mssqlRepositoryOn } from "../support/mssql-test-store.ts";
import { describeRepositoryContract } from "./person-repository.contract.ts";

let responder: TdsResponder | undefined;
after(() => responder?.stop());

// The adapter's real SQL parameters and result decoding, over real TDS, against
// an in-memory stand-in that answers the statements it receives.
describeRepositoryContract("mssql adapter over TDS (test responder)", async () => {
  responder = await startTdsResponder(createFakePersonDb());
  return mssqlRepositoryOn(responder.port);
});

// The same suite against a real SQL Server, when one is given.
const url = process.env.MSSQL_TEST_URL;
describeRepositoryContract(
  "mssql adapter against a real SQL Server (MSSQL_TEST_URL)",
  async () => {
    const config = loadConfig({ STORE: "mssql", MSSQL_CONNECTION_STRING: url });
    const client = createMssqlClient(toTediousConfig(mssqlSettingsFrom(config)), {
      poolMin: 0,
      poolMax: 4,
      acquireTimeoutMs: 5000,
      maxRetries: 3,
      retryBaseDelayMs: 50,
    });
    await migrate(client, 60_000);
    return createMssqlPersonRepository(client, 15_000);
  },
  url ? undefined : "MSSQL_TEST_URL is not set: no real SQL Server to run against (see README)",
);
