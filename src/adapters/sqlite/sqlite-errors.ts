import { AppError } from "../../domain/app-error.ts";

/** SQLite primary result codes that mean "the store cannot answer now", not "a bug". */
const unavailableCodes = new Set([
  5, // SQLITE_BUSY
  6, // SQLITE_LOCKED
  7, // SQLITE_NOMEM
  8, // SQLITE_READONLY
  10, // SQLITE_IOERR
  13, // SQLITE_FULL
  14, // SQLITE_CANTOPEN
  15, // SQLITE_PROTOCOL
]);

/**
 * Translates a node:sqlite error: outages become STORE.UNAVAILABLE (with the
 * driver error kept as cause for logs); anything else is rethrown as is.
 */
export function translateSqliteError(e: unknown): unknown {
  const errcode = (e as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode === "number" && unavailableCodes.has(errcode & 0xff)) {
    return new AppError("STORE.UNAVAILABLE", "the person store is unavailable, try again later", { cause: e });
  }
  return e;
}
