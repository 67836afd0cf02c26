import type { MacroName } from "./dates.ts";
import type { JsonValue, RequestPart } from "./schema.ts";

/** Comparison operators; the any-of forms (`?=` …) set {@link ComparisonNode.any}. */
export type Operator = "=" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "!~";

/** Operand modifiers: `:lower`, `:length`, `:each`, and `:isset`, `:changed` on request values. */
export type Modifier = "lower" | "length" | "each" | "isset" | "changed";

/**
 * How `~` reads its right-hand value: PocketBase's `auto` (a substring unless it holds an
 * unescaped `%`), a LIKE `pattern` as given (FastSchema `$like`), or a plain substring
 * (`$contains`).
 */
export type LikeSyntax = "auto" | "pattern" | "contains";

/** A parsed filter, before it is checked against a schema. Both syntaxes parse to this. */
export type FilterAst = FilterNode;

/** A node of a {@link FilterAst}. `pos` is the 0-based offset in the source text. */
export type FilterNode =
  | { type: "const"; value: boolean; pos: number }
  | { type: "and" | "or"; items: FilterNode[]; pos: number }
  | ComparisonNode;

/** `left op right`. */
export interface ComparisonNode {
  type: "cmp";
  op: Operator;
  /** Any-of form: true when at least one item of the left operand satisfies `op`. */
  any: boolean;
  left: OperandNode;
  right: OperandNode;
  /** For `~`/`!~`: how the right-hand value is read. */
  like: LikeSyntax;
  /** For `~`/`!~`: ASCII case-insensitive. */
  fold: boolean;
  pos: number;
}

/** One side of a comparison. */
export type OperandNode =
  | { type: "field"; path: string[]; modifier: Modifier | null; pos: number }
  | { type: "literal"; value: JsonValue; pos: number }
  | { type: "auth"; path: string[]; modifier: Modifier | null; pos: number }
  | { type: "context"; modifier: Modifier | null; pos: number }
  | { type: "request"; part: RequestPart; path: string[]; modifier: Modifier | null; pos: number }
  | { type: "method"; modifier: Modifier | null; pos: number }
  | { type: "macro"; name: MacroName; pos: number };
