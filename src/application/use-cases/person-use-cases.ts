import type { Clock } from "../ports/clock.port.ts";
import type { IdGenerator } from "../ports/id-generator.port.ts";
import type { PersonRepository } from "../ports/person-repository.port.ts";
import { createGetPerson } from "./get-person.ts";
import { createListPeople } from "./list-people.ts";
import { createCreatePerson } from "./create-person.ts";
import { createUpdatePerson } from "./update-person.ts";
import { createDeletePerson } from "./delete-person.ts";

/** What the use cases need from the outside world. */
export interface UseCaseDeps {
  readonly people: PersonRepository;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** How long a CreatePerson request_id is remembered (default 24 h). */
  readonly requestIdRetentionMs?: number;
}

/** Every person use case, wired to its ports. */
export function createPersonUseCases(deps: UseCaseDeps) {
  return {
    getPerson: createGetPerson(deps),
    listPeople: createListPeople(deps),
    createPerson: createCreatePerson(deps),
    updatePerson: createUpdatePerson(deps),
    deletePerson: createDeletePerson(deps),
  };
}

/** The person use cases as one object, as the edge adapters see them. */
export type PersonUseCases = ReturnType<typeof createPersonUseCases>;
