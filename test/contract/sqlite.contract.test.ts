import { createSqlitePersonRepository } from "../../src/adapters/sqlite/sqlite-person-repository.ts";
import { describeRepositoryContract } from "./person-repository.contract.ts";

describeRepositoryContract("node:sqlite (:memory:)", async () => createSqlitePersonRepository({ path: ":memory:" }));
