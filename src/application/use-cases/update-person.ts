import { etagMismatch, personNotFound } from "../../domain/app-error.ts";
import type { Person } from "../../domain/person.ts";
import { etagSchema, parseOrThrow, personNamesSchema, uuidSchema } from "../../domain/person-schema.ts";
import type { StoreCallOptions } from "../ports/person-repository.port.ts";
import type { UseCaseDeps } from "./person-use-cases.ts";

/** Input of UpdatePerson, as received. */
export interface UpdatePersonInput {
  readonly id: string;
  readonly firstName: string;
  readonly middleName: string | null;
  readonly lastName: string;
  readonly suffix: string | null;
  /** "" for an unconditional update. */
  readonly etag: string;
}

/** What UpdatePerson accepts (also feeds the OpenAPI constraints). */
export const updatePersonSchema = personNamesSchema.extend({ id: uuidSchema, etag: etagSchema });

/** UpdatePerson: validate, then replace the names if the etag still matches. */
export function createUpdatePerson({ people, clock }: Pick<UseCaseDeps, "people" | "clock">) {
  return async function updatePerson(input: UpdatePersonInput, options: StoreCallOptions = {}): Promise<Person> {
    const { id, etag, ...names } = parseOrThrow(updatePersonSchema, input);
    const outcome = await people.update(id, names, clock.now(), etag || undefined, options);
    if (outcome.kind === "not-found") throw personNotFound(id);
    if (outcome.kind === "etag-mismatch") throw etagMismatch(id);
    return outcome.value;
  };
}
