import { AppError } from "../../domain/app-error.ts";

/**
 * Server error numbers after which SQL Server / Azure SQL has rolled the
 * statement's transaction back, so running it again is safe: deadlock victim,
 * throttling, failover, database not yet available, In-Memory OLTP conflicts.
 */
const rolledBackTransients = new Set([
  1205, 40501, 40613, 40197, 49918, 49919, 49920, 10928, 10929, 4060, 41301, 41302, 41305, 41325, 41839,
]);

/** Numbers that mean the connection broke (transport-level, outcome unknown). */
const brokenConnectionNumbers = new Set([233, 10053, 10054, 10060, 64, 121, 20]);

/** tedious error codes that mean the connection is gone. */
const brokenConnectionCodes = new Set(["ESOCKET", "ECLOSE", "EINVALIDSTATE", "ECONNRESET", "ETIMEOUT_CONNECT", "ELOGIN"]);

/** How a failed SQL call may be treated. */
export type FailureKind =
  | "rolled-back" // the server undid it: retry is safe for anything
  | "broken" // the connection failed; whether it ran is unknown
  | "timeout" // our timeout fired; it may have committed (-2): never retry writes
  | "unique-violation"
  | "fatal"; // anything else

/** Classifies a tedious error by its number and code, never by its message (Babelfish speaks PostgreSQL's). */
export function classify(e: unknown): FailureKind {
  const err = e as { number?: unknown; code?: unknown } | null;
  const number = typeof err?.number === "number" ? err.number : undefined;
  if (number === 2627 || number === 2601) return "unique-violation";
  if (number !== undefined && rolledBackTransients.has(number)) return "rolled-back";
  if (number === -2 || err?.code === "ETIMEOUT") return "timeout";
  if (number !== undefined && brokenConnectionNumbers.has(number)) return "broken";
  if (typeof err?.code === "string" && brokenConnectionCodes.has(err.code)) return "broken";
  if (typeof err?.code === "string" && err.code === "EPOOLTIMEOUT") return "broken";
  return "fatal";
}

/** The AppError a store failure becomes once retries are spent; the driver error is kept as cause for logs. */
export function toStoreError(e: unknown): unknown {
  if (e instanceof AppError) return e;
  switch (classify(e)) {
    case "timeout":
      return new AppError("STORE.TIMEOUT", "the person store did not answer in time", { cause: e });
    case "unique-violation":
      return new AppError("PERSON.ALREADY_EXISTS", "a person with this id already exists", { cause: e });
    case "rolled-back":
    case "broken":
      return new AppError("STORE.UNAVAILABLE", "the person store is unavailable, try again later", { cause: e });
    default:
      return e;
  }
}
