import { ERROR_CODES, type ErrorCode } from "./error-codes.ts";

/** The wire shape of every error: REST bodies and realtime acks alike. */
export interface ErrorBody {
  status: number;
  code: ErrorCode;
  message: string;
  data: Record<string, unknown>;
}

/**
 * An error meant for the client: it carries a code from the table, a message safe to show, and
 * optional details (`data`). Anything else thrown is an internal error and is never shown as is.
 */
export class TidingsError extends Error {
  override readonly name = "TidingsError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly data: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message?: string,
    data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message ?? ERROR_CODES[code].message, options);
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.data = data;
  }

  toBody(): ErrorBody {
    return { status: this.status, code: this.code, message: this.message, data: this.data };
  }
}

/** Shorthand for a body built straight from the table. */
export function errorBody(
  code: ErrorCode,
  message?: string,
  data: Record<string, unknown> = {},
): ErrorBody {
  return new TidingsError(code, message, data).toBody();
}
