/** Bounds on what a filter may cost; inputs beyond them get `INVALID_FILTER`. */
export interface FilterLimits {
  /** Longest filter text in characters (for JSON filters, the JSON text). @default 4096 */
  maxLength: number;
  /** Deepest nesting of parentheses, `$and`/`$or` groups or JSON values. @default 32 */
  maxDepth: number;
  /** Most comparisons in one filter (each `$in` value counts as one). @default 100 */
  maxTerms: number;
}

/** The default {@link FilterLimits}. */
export const FILTER_LIMITS: Readonly<FilterLimits> = Object.freeze({
  maxLength: 4096,
  maxDepth: 32,
  maxTerms: 100,
});

/** Most terms in one sort list. */
export const MAX_SORT_TERMS = 8;

/** Fills in the defaults for any limit not given. */
export function resolveLimits(limits: Partial<FilterLimits> | undefined): FilterLimits {
  return { ...FILTER_LIMITS, ...limits };
}
