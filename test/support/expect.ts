import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";

/** Awaits a call that must fail with `code`, and returns its ConnectError. */
export async function expectCode(call: Promise<unknown>, code: Code, what = ""): Promise<ConnectError> {
  let err: ConnectError | undefined;
  try {
    await call;
  } catch (e) {
    err = ConnectError.from(e);
  }
  assert.ok(err, `${what} expected ${Code[code]}, but the call succeeded`);
  assert.equal(Code[err.code], Code[code], `${what} ${err.message}`);
  return err;
}

/** The outcome of a call as a code name: "ok" or e.g. "Aborted". */
export function outcomeOf(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => "ok",
    (e: unknown) => Code[ConnectError.from(e).code],
  );
}
