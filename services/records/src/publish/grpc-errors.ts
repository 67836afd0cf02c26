import * as grpc from "@grpc/grpc-js";
import type { ErrorCode } from "@tidings/protocol";
import { type FieldErrors, toErrorBody } from "@tidings/service";

/** Metadata key of the trailing error body (`{status, code, message, data}` as JSON). */
export const ERROR_METADATA_KEY = "tidings-error-bin";

const STATUS: Partial<Record<ErrorCode, grpc.status>> = {
  UNAUTHORIZED: grpc.status.UNAUTHENTICATED,
  INVALID_JSON: grpc.status.INVALID_ARGUMENT,
  VALIDATION_FAILED: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
};

function isNotExternalOnly(data: Record<string, unknown>): boolean {
  const problems = Object.values(data as FieldErrors);
  return problems.length > 0 && problems.every((problem) => problem.code === "not_external");
}

/**
 * Maps an error to a gRPC status the way the HTTP API maps it to a body: the details carry the
 * message and every field problem (`path: message (code)`), and the metadata the full body.
 * Publishing to a base collection is a precondition failure rather than a bad argument.
 */
export function toGrpcError(error: unknown): Partial<grpc.StatusObject> {
  const body = toErrorBody(error);
  const problems = Object.entries(body.data)
    .filter(([, value]) => typeof value === "object" && value !== null && "message" in value)
    .map(([path, value]) => {
      const { code, message } = value as FieldErrors[string];
      return `${path}: ${message} (${code})`;
    });
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_METADATA_KEY, Buffer.from(JSON.stringify(body)));
  const code =
    body.code === "VALIDATION_FAILED" && isNotExternalOnly(body.data)
      ? grpc.status.FAILED_PRECONDITION
      : (STATUS[body.code] ?? grpc.status.INTERNAL);
  return {
    code,
    details: problems.length > 0 ? `${body.message} ${problems.join("; ")}` : body.message,
    metadata,
  };
}
