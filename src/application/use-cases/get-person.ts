import { z } from "zod";
import { personNotFound } from "../../domain/app-error.ts";
import type { Person } from "../../domain/person.ts";
import { parseOrThrow, uuidSchema } from "../../domain/person-schema.ts";
import type { StoreCallOptions } from "../ports/person-repository.port.ts";
import type { UseCaseDeps } from "./person-use-cases.ts";

/** What GetPerson accepts (also feeds the OpenAPI constraints). */
export const getPersonSchema = z.object({ id: uuidSchema });

/** Input of GetPerson, as received. */
export interface GetPersonInput {
  readonly id: string;
}

/** GetPerson: validate the id, read the person, or say it is not there. */
export function createGetPerson({ people }: Pick<UseCaseDeps, "people">) {
  return async function getPerson(input: GetPersonInput, options: StoreCallOptions = {}): Promise<Person> {
    const { id } = parseOrThrow(getPersonSchema, input);
    const person = await people.get(id, options);
    if (person === undefined) throw personNotFound(id);
    return person;
  };
}
