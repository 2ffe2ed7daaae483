import { randomUuid } from "../system/random-uuid.ts";

const requestIdPattern = /^[\x21-\x7e]{1,128}$/;

/** The correlation id of a request: a sane `x-request-id`, or a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && requestIdPattern.test(header) ? header : randomUuid();
}
