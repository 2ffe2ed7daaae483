import { z } from "zod";
import { invalidArgument, type FieldViolation } from "./app-error.ts";
import { personLimits } from "./person.ts";

const forbiddenChars = /[\p{Cc}\u2028\u2029]/u;
const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * A name: no control characters or line separators, well-formed UTF-16,
 * trimmed, then 1..max UTF-16 code units (min 0 when `allowEmpty`).
 */
function nameSchema(max: number, allowEmpty: boolean) {
  const base = z
    .string()
    .refine((s) => !forbiddenChars.test(s), { message: "must not contain control characters", abort: true })
    .refine((s) => s.isWellFormed(), { message: "must be well-formed Unicode (no lone surrogates)", abort: true })
    .trim()
    // String length counts UTF-16 code units, as NVARCHAR(n) does.
    .refine((s) => s.length <= max, { message: `must be at most ${max} characters` })
    .meta({ maxLength: max, description: "trimmed; no control characters" });
  return allowEmpty ? base : base.min(1, { message: "must not be empty" });
}

/** A UUID in 8-4-4-4-12 hex form, returned in canonical lowercase. */
export const uuidSchema = z
  .string()
  .regex(uuidPattern, { message: "must be a UUID (8-4-4-4-12 hexadecimal digits)" })
  .meta({ format: "uuid" })
  .transform((s) => s.toLowerCase());

/** The names a client may set on a person. */
export const personNamesSchema = z.object({
  firstName: nameSchema(personLimits.firstName, false),
  middleName: nameSchema(personLimits.middleName, true).nullable(),
  lastName: nameSchema(personLimits.lastName, false),
  suffix: nameSchema(personLimits.suffix, true).nullable(),
});

/** An etag as sent back by a client; empty means "unconditional". */
export const etagSchema = z
  .string()
  .max(personLimits.etag, { message: `must be at most ${personLimits.etag} characters` })
  .meta({ maxLength: personLimits.etag })
  .refine((s) => !forbiddenChars.test(s), { message: "must not contain control characters" });

/** An optional UUID: empty means "not given". */
export const optionalUuidSchema = z.union([z.literal(""), uuidSchema]);

const camelToSnake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Parses `input` with `schema`, or throws an INVALID_ARGUMENT AppError with
 * one violation per bad field, named as in the proto (snake_case).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const violations: FieldViolation[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    const field = issue.path.map((p) => camelToSnake(String(p))).join(".") || "request";
    if (seen.has(field)) continue;
    seen.add(field);
    violations.push({ field, description: issue.message });
  }
  throw invalidArgument(violations);
}
