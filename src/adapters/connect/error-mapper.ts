import { Code, ConnectError } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { BadRequestSchema, ErrorInfoSchema } from "../../../gen/google/rpc/error_details_pb.js";
import { AppError, type AppErrorCode } from "../../domain/app-error.ts";

/** The one place where application error codes become Connect/gRPC codes. */
const codeOf: Record<AppErrorCode, Code> = {
  "PERSON.INVALID_ARGUMENT": Code.InvalidArgument,
  "PERSON.NOT_FOUND": Code.NotFound,
  "PERSON.ETAG_MISMATCH": Code.Aborted,
  "PERSON.REQUEST_ID_REUSED": Code.AlreadyExists,
  "PERSON.ALREADY_EXISTS": Code.AlreadyExists,
  "STORE.UNAVAILABLE": Code.Unavailable,
  "STORE.TIMEOUT": Code.DeadlineExceeded,
};

/** The `google.rpc.ErrorInfo` domain of this service's errors. */
export const errorDomain = "personsvc";

/**
 * Turns anything thrown below the edge into the ConnectError a client sees.
 * AppErrors keep their safe message and gain an ErrorInfo (and a BadRequest
 * listing field violations); ConnectErrors pass through; anything else is a
 * bug and becomes a bare INTERNAL, its cause kept for the server's log only.
 */
export function toConnectError(e: unknown): ConnectError {
  if (e instanceof ConnectError) return e;
  if (e instanceof AppError) {
    const details = [
      { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: e.code.replace(".", "_"), domain: errorDomain }) },
    ] as NonNullable<ConstructorParameters<typeof ConnectError>[3]>;
    if (e.violations.length > 0) {
      details.push({
        desc: BadRequestSchema,
        value: create(BadRequestSchema, {
          fieldViolations: e.violations.map((v) => ({ field: v.field, description: v.description })),
        }),
      });
    }
    return new ConnectError(e.message, codeOf[e.code], undefined, details, e);
  }
  return new ConnectError("internal error", Code.Internal, undefined, undefined, e);
}
