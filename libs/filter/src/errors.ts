/** Error codes this package produces, with the HTTP status a service should answer with. */
export const FILTER_ERROR_CODES = {
  INVALID_FILTER: {
    status: 400,
    message: "The filter or rule is malformed, too large, or names a field it may not read.",
  },
  INVALID_SORT: {
    status: 400,
    message: "The sort list is malformed, too long, or names a field it may not sort by.",
  },
} as const;

/** One of {@link FILTER_ERROR_CODES}. */
export type FilterErrorCode = keyof typeof FILTER_ERROR_CODES;

/**
 * The only error this package throws on bad input: a filter, rule or sort that does not parse,
 * exceeds a limit, or does not fit the collection's schema.
 */
export class FilterError extends Error {
  override readonly name = "FilterError";
  /** `INVALID_FILTER` or `INVALID_SORT`. */
  readonly code: FilterErrorCode;
  /** 0-based offset of the offending character in the input text. */
  readonly position: number;
  /** The message without the trailing position. */
  readonly reason: string;

  constructor(reason: string, position: number, code: FilterErrorCode = "INVALID_FILTER") {
    super(`${reason} at ${position}`);
    this.code = code;
    this.position = position;
    this.reason = reason;
  }
}

/** True when `error` is a {@link FilterError}. */
export function isFilterError(error: unknown): error is FilterError {
  return error instanceof FilterError;
}

/** Quotes a piece of user input for an error message, shortened so messages stay readable. */
export function quote(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return JSON.stringify(shown);
}
