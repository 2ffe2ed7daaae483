import { z } from "zod";
import { sortKeyOf, type Person } from "../../domain/person.ts";
import { parseOrThrow } from "../../domain/person-schema.ts";
import { decodePageToken, encodePageToken } from "../page-token.ts";
import type { StoreCallOptions } from "../ports/person-repository.port.ts";
import type { UseCaseDeps } from "./person-use-cases.ts";

/** Page size when the client gives none. */
export const defaultPageSize = 25;
/** The largest page; larger requests are lowered to it. */
export const maxPageSize = 100;

const pageSizeSchema = z
  .number()
  .int()
  .min(0, { message: "must not be negative" })
  .transform((n) => (n === 0 ? defaultPageSize : Math.min(n, maxPageSize)));

/** What ListPeople accepts (also feeds the OpenAPI constraints). */
export const listPeopleSchema = z.object({ pageSize: pageSizeSchema.meta({ minimum: 0, maximum: 2147483647 }) });

/** Input of ListPeople, as received. */
export interface ListPeopleInput {
  readonly pageSize: number;
  readonly pageToken: string;
}

/** One page of people and the token of the next one ("" when none). */
export interface PeoplePage {
  readonly people: Person[];
  readonly nextPageToken: string;
}

/**
 * ListPeople: read one more person than the page holds, so that the last page
 * is known to be the last without a second query.
 */
export function createListPeople({ people }: Pick<UseCaseDeps, "people">) {
  return async function listPeople(input: ListPeopleInput, options: StoreCallOptions = {}): Promise<PeoplePage> {
    const pageSize = parseOrThrow(listPeopleSchema, input).pageSize;
    const after = decodePageToken(input.pageToken);
    const rows = await people.list({ limit: pageSize + 1, after }, options);
    const page = rows.slice(0, pageSize);
    const last = page.at(-1);
    const nextPageToken = rows.length > pageSize && last ? encodePageToken(sortKeyOf(last)) : "";
    return { people: page, nextPageToken };
  };
}
