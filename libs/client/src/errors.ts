import type { ErrorCode as ServerErrorCode } from "@tidings/protocol/wire";

// The keys of `ERROR_CODES` in `@tidings/protocol`, spelled out so that bundles do not carry that
// table's messages along (a test keeps the two in step).
/** Every code the server may answer with. */
export const ERROR_CODE_LIST = [
  "INVALID_JSON",
  "VALIDATION_FAILED",
  "INVALID_FILTER",
  "INVALID_SORT",
  "INVALID_RULE",
  "INVALID_MESSAGE",
  "INVALID_CREDENTIALS",
  "ACCOUNT_DISABLED",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "CONFLICT",
  "RESYNC_REQUIRED",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "LIMIT_EXCEEDED",
  "RATE_LIMITED",
  "SLOW_CONSUMER",
  "INTERNAL",
  "UNAVAILABLE",
] as const satisfies readonly ServerErrorCode[];

/** A stable, machine-readable error code. */
export type ErrorCode = (typeof ERROR_CODE_LIST)[number];

/**
 * What the server refused, or why the client could not get an answer: a `code` to branch on, a
 * `message` for people, and `data` with details (`{position}` for `INVALID_FILTER`,
 * `{retryAfterSeconds}` for `RATE_LIMITED`, …).
 */
export class TidingsError extends Error {
  override readonly name = "TidingsError";
  readonly code: ErrorCode;
  readonly data: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.data = data;
  }
}

function isCode(value: unknown): value is ErrorCode {
  return (ERROR_CODE_LIST as readonly unknown[]).includes(value);
}

/** Turns an error body from the wire (`{code, message, data}`) into a {@link TidingsError}. */
export function errorFromBody(body: unknown): TidingsError {
  const { code, message, data } = (body ?? {}) as Record<string, unknown>;
  return new TidingsError(
    isCode(code) ? code : "INTERNAL",
    typeof message === "string" ? message : "The server answered with an unknown error.",
    typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {},
  );
}

/** True when `error` is a {@link TidingsError} with `code`. */
export function hasCode(error: unknown, code: ErrorCode): error is TidingsError {
  return error instanceof TidingsError && error.code === code;
}

type Predicate = (error: unknown) => error is TidingsError;
const is =
  (code: ErrorCode): Predicate =>
  (error): error is TidingsError =>
    hasCode(error, code);

/** `INVALID_JSON`: a body that is not JSON. */
export const isInvalidJson = is("INVALID_JSON");
/** `VALIDATION_FAILED`: invalid or missing values. */
export const isValidationFailed = is("VALIDATION_FAILED");
/** `INVALID_FILTER`: a filter that does not parse (`data.position`). */
export const isInvalidFilter = is("INVALID_FILTER");
/** `INVALID_SORT`: a sort that does not parse. */
export const isInvalidSort = is("INVALID_SORT");
/** `INVALID_RULE`: a rule that does not parse. */
export const isInvalidRule = is("INVALID_RULE");
/** `INVALID_MESSAGE`: a malformed realtime message. */
export const isInvalidMessage = is("INVALID_MESSAGE");
/** `INVALID_CREDENTIALS`: wrong email or password. */
export const isInvalidCredentials = is("INVALID_CREDENTIALS");
/** `ACCOUNT_DISABLED`: the right password for an account a superuser disabled. */
export const isAccountDisabled = is("ACCOUNT_DISABLED");
/** `UNAUTHORIZED`: a missing, invalid or expired token. */
export const isUnauthorized = is("UNAUTHORIZED");
/**
 * `UNAUTHORIZED` because the server closed the connection when its token was revoked (signed out
 * everywhere, password changed, account deleted): sign in again, then `setToken`.
 */
export const isTokenRevoked = (error: unknown): error is TidingsError =>
  hasCode(error, "UNAUTHORIZED") && error.data.reason === "token_revoked";
/** `FORBIDDEN`: a rule refuses it. */
export const isForbidden = is("FORBIDDEN");
/** `NOT_FOUND`: no such collection, record or subscription. */
export const isNotFound = is("NOT_FOUND");
/** `METHOD_NOT_ALLOWED`: the action does not apply here. */
export const isMethodNotAllowed = is("METHOD_NOT_ALLOWED");
/** `CONFLICT`: already exists or still referenced. */
export const isConflict = is("CONFLICT");
/** `RESYNC_REQUIRED`: missed changes are no longer retained: refetch. */
export const isResyncRequired = is("RESYNC_REQUIRED");
/** `PAYLOAD_TOO_LARGE`: the body is too large. */
export const isPayloadTooLarge = is("PAYLOAD_TOO_LARGE");
/** `UNSUPPORTED_MEDIA_TYPE`: the body is not JSON. */
export const isUnsupportedMediaType = is("UNSUPPORTED_MEDIA_TYPE");
/** `LIMIT_EXCEEDED`: too many connections or subscriptions. */
export const isLimitExceeded = is("LIMIT_EXCEEDED");
/** `RATE_LIMITED`: too many messages (`data.retryAfterSeconds`). */
export const isRateLimited = is("RATE_LIMITED");
/** `SLOW_CONSUMER`: the client read too slowly. */
export const isSlowConsumer = is("SLOW_CONSUMER");
/** `INTERNAL`: an unexpected server failure. */
export const isInternal = is("INTERNAL");
/** `UNAVAILABLE`: the server is shutting down or did not answer; retry. */
export const isUnavailable = is("UNAVAILABLE");
