import type { LikeSyntax, Operator } from "./ast.ts";
import type { MacroName } from "./dates.ts";
import type { JsonValue, RequestPart, SystemColumn } from "./schema.ts";

/**
 * What a checked operand is known to hold: a schema type, `null` (the literal), `json` (any JSON
 * value from a record or body) or `dynamic` (any JSON value from `@request.auth`, or a query
 * parameter or header).
 */
export type StaticType = "text" | "number" | "bool" | "date" | "json" | "null" | "dynamic";

/** How a comparison applies to the items of its left operand. */
export type Quantifier = "one" | "any" | "all";

/** Where an operand's value comes from. */
export type ValueRef =
  | { kind: "column"; column: SystemColumn }
  | { kind: "data"; field: string; path: readonly string[] }
  | { kind: "literal"; value: JsonValue }
  | { kind: "auth"; path: readonly string[] }
  | { kind: "context" }
  | { kind: "macro"; name: MacroName }
  /** A submitted field (`path`: it, then a json path), a query parameter or header (its name). */
  | { kind: "request"; part: RequestPart; path: readonly string[] }
  /** Whether the request has a value of that name (`:isset`). */
  | { kind: "isset"; part: RequestPart; name: string }
  | { kind: "method" };

/** One side of a checked comparison. */
export interface CheckedOperand {
  ref: ValueRef;
  modifier: "lower" | "length" | null;
  /**
   * A string read at run time (from `@request.auth`, a query parameter or header) is converted to
   * a canonical date or to a number when it spells one, because the other side is of that type.
   */
  coerce: "date" | "number" | null;
  /** Type of the value after the modifier; for a quantified left side, the type of an item. */
  type: StaticType;
  pos: number;
}

/** `left op right`, resolved against a schema. */
export interface CheckedComparison {
  kind: "cmp";
  op: Operator;
  quant: Quantifier;
  left: CheckedOperand;
  right: CheckedOperand;
  /** For `~`/`!~`: how the pattern is read and whether ASCII case is ignored. */
  like: { syntax: LikeSyntax; fold: boolean } | null;
  pos: number;
}

/** A node of a checked filter. */
export type CheckedNode =
  | { kind: "const"; value: boolean }
  | { kind: "and" | "or"; items: CheckedNode[] }
  | CheckedComparison;

/**
 * A filter or rule resolved against a collection's schema: every field exists and may be read,
 * every comparison is well-typed, literals are converted. Produced by `checkFilter` only.
 */
export interface CheckedFilter {
  readonly kind: "checked-filter";
  readonly root: CheckedNode;
}

/** True when the operand reads the record (a column or a `data` field). */
export function readsRecord(operand: CheckedOperand): boolean {
  return operand.ref.kind === "column" || operand.ref.kind === "data";
}

/** True when the operand reads the write request (`@request.body/query/headers/method`). */
export function readsRequest(operand: CheckedOperand): boolean {
  const kind = operand.ref.kind;
  return kind === "request" || kind === "isset" || kind === "method";
}
