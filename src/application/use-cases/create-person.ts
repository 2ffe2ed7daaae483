import { createHash } from "node:crypto";
import { AppError, personNotFound } from "../../domain/app-error.ts";
import type { Person, PersonNames } from "../../domain/person.ts";
import { optionalUuidSchema, parseOrThrow, personNamesSchema } from "../../domain/person-schema.ts";
import type { StoreCallOptions } from "../ports/person-repository.port.ts";
import type { UseCaseDeps } from "./person-use-cases.ts";

/** Input of CreatePerson, as received. */
export interface CreatePersonInput {
  readonly firstName: string;
  readonly middleName: string | null;
  readonly lastName: string;
  readonly suffix: string | null;
  /** "" when the client sent none. */
  readonly requestId: string;
}

/** What CreatePerson accepts (also feeds the OpenAPI constraints). */
export const createPersonSchema = personNamesSchema.extend({ requestId: optionalUuidSchema });

/** A stable digest of the names, so a reused request id with other names is caught. */
function fingerprint(names: PersonNames): string {
  const canonical = JSON.stringify([names.firstName, names.middleName, names.lastName, names.suffix]);
  return createHash("sha256").update(canonical).digest("base64url");
}

/**
 * CreatePerson: validate the names, give the person an id and a create time,
 * and store it once per request id (remembered for the retention window).
 */
export function createCreatePerson({ people, clock, ids, requestIdRetentionMs = 24 * 3600_000 }: UseCaseDeps) {
  const requestIdRetentionNs = BigInt(requestIdRetentionMs) * 1_000_000n;
  return async function createPerson(input: CreatePersonInput, options: StoreCallOptions = {}): Promise<Person> {
    const { requestId, ...names } = parseOrThrow(createPersonSchema, input);
    const now = clock.now();
    const key = requestId === "" ? undefined : { requestId, fingerprint: fingerprint(names), notBefore: now - requestIdRetentionNs };
    const outcome = await people.create({ ...names, id: ids.next(), createTime: now }, key, options);
    switch (outcome.kind) {
      case "created":
      case "replayed":
        return outcome.person;
      case "replayed-gone":
        throw personNotFound(outcome.id);
      case "key-reused":
        throw new AppError(
          "PERSON.REQUEST_ID_REUSED",
          `request_id ${requestId} was already used to create a person with other names`,
        );
    }
  };
}
