/**
 * Opens (creates, migrates) the embedded store at argv[2] at the wall-clock
 * millisecond argv[3], then closes it: several of these started together
 * open one new file at the same moment, as WORKERS > 1 does.
 */
import { createSqlitePersonRepository } from "../../src/adapters/sqlite/sqlite-person-repository.ts";

const at = Number(process.argv[3]);
while (Date.now() < at) {
  // spin: the processes must reach SQLite within the same millisecond or so
}
const store = createSqlitePersonRepository({ path: process.argv[2]! });
await store.close();
