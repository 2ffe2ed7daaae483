import { z } from "zod";
import { etagMismatch, personNotFound } from "../../domain/app-error.ts";
import { etagSchema, parseOrThrow, uuidSchema } from "../../domain/person-schema.ts";
import type { StoreCallOptions } from "../ports/person-repository.port.ts";
import type { UseCaseDeps } from "./person-use-cases.ts";

/** Input of DeletePerson, as received. */
export interface DeletePersonInput {
  readonly id: string;
  /** "" for an unconditional delete. */
  readonly etag: string;
}

/** What DeletePerson accepts (also feeds the OpenAPI constraints). */
export const deletePersonSchema = z.object({ id: uuidSchema, etag: etagSchema });

/** DeletePerson: validate, then delete if the etag still matches. */
export function createDeletePerson({ people }: Pick<UseCaseDeps, "people">) {
  return async function deletePerson(input: DeletePersonInput, options: StoreCallOptions = {}): Promise<void> {
    const { id, etag } = parseOrThrow(deletePersonSchema, input);
    const outcome = await people.delete(id, etag || undefined, options);
    if (outcome.kind === "not-found") throw personNotFound(id);
    if (outcome.kind === "etag-mismatch") throw etagMismatch(id);
  };
}
