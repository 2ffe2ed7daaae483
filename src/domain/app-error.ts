/**
 * Stable error codes of the application. Transport adapters map each code to
 * their own status in exactly one place (see adapters/connect/error-mapper.ts).
 */
export type AppErrorCode =
  | "PERSON.INVALID_ARGUMENT"
  | "PERSON.NOT_FOUND"
  | "PERSON.ETAG_MISMATCH"
  | "PERSON.REQUEST_ID_REUSED"
  | "PERSON.ALREADY_EXISTS"
  | "STORE.UNAVAILABLE"
  | "STORE.TIMEOUT";

/** One bad field of a request: the field's proto name and what is wrong with it. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/**
 * The one error type of the domain and application layers. `message` is safe
 * to show to a client; `cause` is kept for logs only.
 */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: AppErrorCode;
  readonly violations: readonly FieldViolation[];

  constructor(
    code: AppErrorCode,
    message: string,
    options: { violations?: readonly FieldViolation[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.violations = options.violations ?? [];
  }
}

/** An INVALID_ARGUMENT error listing every bad field. */
export function invalidArgument(violations: readonly FieldViolation[]): AppError {
  const message = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new AppError("PERSON.INVALID_ARGUMENT", message, { violations });
}

/** A NOT_FOUND error for a person id. */
export function personNotFound(id: string): AppError {
  return new AppError("PERSON.NOT_FOUND", `person ${id} not found`);
}

/** An ABORTED error: the person changed since the etag the client sent was read. */
export function etagMismatch(id: string): AppError {
  return new AppError(
    "PERSON.ETAG_MISMATCH",
    `etag does not match the current version of person ${id}: read it again and retry`,
  );
}
