/**
 * Every error code Tidings puts on the wire, with its HTTP status and default message. REST
 * answers, Socket.IO acks and compatibility adapters all draw from this one table; docs/errors.md
 * lists every code (a test keeps the two in step).
 */
export const ERROR_CODES = {
  INVALID_JSON: { status: 400, message: "The request body is not valid JSON." },
  VALIDATION_FAILED: { status: 400, message: "The request has invalid or missing values." },
  INVALID_FILTER: { status: 400, message: "The filter cannot be parsed." },
  INVALID_SORT: { status: 400, message: "The sort cannot be parsed." },
  INVALID_RULE: { status: 400, message: "The rule cannot be parsed." },
  INVALID_MESSAGE: { status: 400, message: "The message is malformed." },
  INVALID_CREDENTIALS: { status: 400, message: "Invalid email or password." },
  UNAUTHORIZED: { status: 401, message: "Missing or invalid authentication token." },
  FORBIDDEN: { status: 403, message: "You are not allowed to perform this action." },
  ACCOUNT_DISABLED: { status: 403, message: "This account is disabled." },
  NOT_FOUND: { status: 404, message: "The requested resource was not found." },
  METHOD_NOT_ALLOWED: { status: 405, message: "This method is not allowed here." },
  CONFLICT: { status: 409, message: "The resource already exists." },
  RESYNC_REQUIRED: { status: 409, message: "The missed events are no longer retained; refetch." },
  PAYLOAD_TOO_LARGE: { status: 413, message: "The request body is too large." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "The request body must be application/json." },
  LIMIT_EXCEEDED: { status: 429, message: "A limit was exceeded." },
  RATE_LIMITED: { status: 429, message: "Too many requests; slow down." },
  SLOW_CONSUMER: { status: 429, message: "The client did not read its messages fast enough." },
  INTERNAL: { status: 500, message: "Something went wrong while processing the request." },
  UNAVAILABLE: { status: 503, message: "The service is temporarily unavailable; retry." },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable, machine-readable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `value` is one of the codes in {@link ERROR_CODES}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}
