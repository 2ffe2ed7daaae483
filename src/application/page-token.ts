import { z } from "zod";
import { invalidArgument } from "../domain/app-error.ts";
import type { PersonSortKey } from "../domain/person.ts";
import { uuidSchema } from "../domain/person-schema.ts";

const tokenSchema = z.tuple([z.literal(1), z.string(), z.string(), uuidSchema]);

/** Encodes a keyset cursor as an opaque, URL-safe page token. */
export function encodePageToken(key: PersonSortKey): string {
  return Buffer.from(JSON.stringify([1, key.lastName, key.firstName, key.id])).toString("base64url");
}

/**
 * Decodes a page token made by `encodePageToken`; undefined for the empty
 * token. Anything else is INVALID_ARGUMENT on `page_token`.
 */
export function decodePageToken(token: string): PersonSortKey | undefined {
  if (token === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const result = tokenSchema.safeParse(parsed);
  if (!result.success || token.length > 1024) {
    throw invalidArgument([{ field: "page_token", description: "is not a token returned by ListPeople" }]);
  }
  const [, lastName, firstName, id] = result.data;
  return { lastName, firstName, id };
}
