import type { Operator } from "./ast.ts";
import type { CheckedComparison, CheckedOperand } from "./checked.ts";
import { parseDate } from "./dates.ts";
import { compileLike } from "./like-pattern.ts";
import { compareScalars, lengthOf, lowerValue, spellsNumber, valuesEqual } from "./values.ts";

/** Applies an operand's modifier and run-time coercion to a raw value. */
export function transform(operand: CheckedOperand, value: unknown): unknown {
  let out = value;
  if (operand.modifier === "lower") out = lowerValue(out);
  else if (operand.modifier === "length") out = lengthOf(out);
  if (operand.coerce !== null && typeof out === "string") {
    out = (operand.coerce === "date" ? parseDate(out) : spellsNumber(out)) ?? out;
  }
  return out;
}

/** The items an any-of or all-of comparison visits: array elements; none for empty values. */
export function itemsOf(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** The negated operators, which an all-of comparison requires of every item (none needed). */
export function isNegative(op: Operator): boolean {
  return op === "!=" || op === "!~";
}

/** How `~` reads its pattern; the checker makes it `contains` when the pattern is a field. */
export type LikeSpec = CheckedComparison["like"];

const DEFAULT_LIKE = { syntax: "auto", fold: true } as const;

/** One comparison of two final values (modifiers and coercions already applied). */
export function testValues(op: Operator, like: LikeSpec, a: unknown, b: unknown): boolean {
  switch (op) {
    case "=":
      return valuesEqual(a, b);
    case "!=":
      return !valuesEqual(a, b);
    case "<":
      return compareScalars(a, b) < 0;
    case "<=":
      return compareScalars(a, b) <= 0;
    case ">":
      return compareScalars(a, b) > 0;
    case ">=":
      return compareScalars(a, b) >= 0;
    case "~":
    case "!~": {
      const { syntax, fold } = like ?? DEFAULT_LIKE;
      const matched =
        typeof a === "string" && typeof b === "string" && compileLike(b, syntax, fold).test(a);
      return op === "~" ? matched : !matched;
    }
  }
}

/**
 * The reference meaning of a comparison, given the raw values of its operands. The compiled
 * predicate and the SQL generator must agree with it.
 */
export function testComparison(cmp: CheckedComparison, left: unknown, right: unknown): boolean {
  const { op, like } = cmp;
  const b = transform(cmp.right, right);
  if (cmp.quant === "one") return testValues(op, like, transform(cmp.left, left), b);
  const items = itemsOf(left);
  const test = (item: unknown) => testValues(op, like, transform(cmp.left, item), b);
  if (cmp.quant === "any") return items.some(test);
  if (!isNegative(op) && items.length === 0) return false;
  return items.every(test);
}
