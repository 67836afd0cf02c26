import type { ComparisonNode, FilterAst, FilterNode, Operator } from "./ast.ts";
import { bindValues } from "./bind.ts";
import { checkChanged, isChanged } from "./changed.ts";
import { type OperandScope, type ResolvedOperand, resolveOperand } from "./check-operand.ts";
import type {
  CheckedComparison,
  CheckedFilter,
  CheckedNode,
  CheckedOperand,
  Quantifier,
} from "./checked.ts";
import { readsRecord, readsRequest } from "./checked.ts";
import { parseDate } from "./dates.ts";
import { FilterError, quote } from "./errors.ts";
import { isTooComplexPattern, MAX_WILDCARD_RUN } from "./like-pattern.ts";
import { READ_REQUEST } from "./request-values.ts";
import type { CollectionSchema } from "./schema.ts";
import { spellsNumber } from "./values.ts";

/** Options of {@link checkFilter}. */
export interface CheckOptions {
  /**
   * Whether hidden fields may be read. True for rules written by superusers; false for filters
   * sent by clients, which must not be able to probe hidden values.
   */
  allowHidden: boolean;
  /**
   * The request the filter judges. `write`: a create, update or delete rule, which reads the
   * submitted body, the query, the headers and the method. `read` (list and view rules, client
   * filters): a read has no body and its method is `GET` (as in PocketBase), and naming a query
   * parameter or header is an error. @default "read"
   */
  request?: "read" | "write";
}

function isOrdering(op: Operator): boolean {
  return op === "<" || op === "<=" || op === ">" || op === ">=";
}

function literalOf(operand: CheckedOperand): unknown {
  return operand.ref.kind === "literal" ? operand.ref.value : undefined;
}

function isEmptyLiteral(operand: CheckedOperand): boolean {
  const value = literalOf(operand);
  return operand.ref.kind === "literal" && (value === null || value === "");
}

/** Converts a string literal compared with a date or number to that type, or rejects it. */
function coerceLiteral(literal: CheckedOperand, to: "date" | "number"): CheckedOperand | null {
  const value = literalOf(literal);
  if (literal.ref.kind !== "literal" || typeof value !== "string") return null;
  const converted = to === "date" ? parseDate(value) : spellsNumber(value);
  if (converted === null) throw new FilterError(`${quote(value)} is not a ${to}`, literal.pos);
  return { ...literal, ref: { kind: "literal", value: converted }, type: to };
}

function unify(op: Operator, left: CheckedOperand, right: CheckedOperand, pos: number) {
  const lt = left.type;
  const rt = right.type;
  if (lt === "null" || rt === "null") {
    if (op !== "=" && op !== "!=") {
      throw new FilterError(
        "null can only be compared with = or !=",
        lt === "null" ? left.pos : right.pos,
      );
    }
    return [left, right] as const;
  }
  if (op === "~" || op === "!~") {
    for (const side of [left, right]) {
      const literal = literalOf(side);
      if (
        side.type === "number" ||
        side.type === "bool" ||
        (side.ref.kind === "literal" && typeof literal !== "string")
      ) {
        throw new FilterError(`${op} compares text, not ${side.type}`, side.pos);
      }
    }
    return [left, right] as const;
  }
  // Record json values and auth values are only known at run time; a json literal is not.
  const runtime = (side: CheckedOperand) =>
    side.type === "dynamic" || (side.type === "json" && side.ref.kind !== "literal");
  if (runtime(left) || runtime(right)) {
    for (const side of [left, right]) {
      if (isOrdering(op) && side.ref.kind === "literal" && side.type === "json") {
        throw new FilterError(`${op} compares numbers, strings or booleans`, side.pos);
      }
    }
    const coerce = (side: CheckedOperand, other: CheckedOperand): CheckedOperand =>
      side.type === "dynamic" &&
      side.modifier === null &&
      (other.type === "date" || other.type === "number")
        ? { ...side, coerce: other.type }
        : side;
    return [coerce(left, right), coerce(right, left)] as const;
  }
  if (lt === rt) return [left, right] as const;
  if (lt === "date" || lt === "number") {
    const converted = coerceLiteral(right, lt);
    if (converted !== null) return [left, converted] as const;
  }
  if (rt === "date" || rt === "number") {
    const converted = coerceLiteral(left, rt);
    if (converted !== null) return [converted, right] as const;
  }
  throw new FilterError(`cannot compare ${lt} with ${rt}`, pos);
}

function strip({ multi: _multi, ...operand }: ResolvedOperand): CheckedOperand {
  return operand;
}

function checkComparison(node: ComparisonNode, scope: OperandScope): CheckedNode {
  if (isChanged(node.left)) return checkChanged(node.left, node.right, node.op, scope);
  if (isChanged(node.right)) return checkChanged(node.right, node.left, node.op, scope);
  let left = resolveOperand(node.left, scope);
  let right = resolveOperand(node.right, scope);
  if (right.multi) {
    throw new FilterError("a multi-valued operand must be on the left of the operator", right.pos);
  }
  let quant: Quantifier = node.any && left.modifier !== "length" ? "any" : "one";
  if (left.multi) {
    quant = node.any ? "any" : "all";
    const emptiness = left.type === "text" && left.modifier === null;
    if (!node.any && emptiness && (node.op === "=" || node.op === "!=") && isEmptyLiteral(right)) {
      // `tags = null` asks whether the list is empty, not whether every item is null.
      left = { ...left, modifier: "length", type: "number", multi: false };
      right = { ...right, ref: { kind: "literal", value: 0 }, type: "number" };
      quant = "one";
    }
  }
  const [l, r] = unify(node.op, strip(left), strip(right), node.pos);
  const like =
    node.op === "~" || node.op === "!~"
      ? { syntax: readsRecord(r) ? ("contains" as const) : node.like, fold: node.fold }
      : null;
  const pattern = r.ref.kind === "literal" ? r.ref.value : null;
  if (like !== null && typeof pattern === "string" && isTooComplexPattern(pattern, like.syntax)) {
    throw new FilterError(
      `a pattern may have at most ${MAX_WILDCARD_RUN} characters between % when it uses _`,
      r.pos,
    );
  }
  const checked: CheckedComparison = {
    kind: "cmp",
    op: node.op,
    quant,
    left: l,
    right: r,
    like,
    pos: node.pos,
  };
  // A read's request is known now: its body and method become the constants they are.
  if (scope.write || !(readsRequest(l) || readsRequest(r))) return checked;
  return bindValues(checked, { request: READ_REQUEST });
}

function checkNode(node: FilterNode, scope: OperandScope): CheckedNode {
  switch (node.type) {
    case "const":
      return { kind: "const", value: node.value };
    case "and":
    case "or":
      return { kind: node.type, items: node.items.map((item) => checkNode(item, scope)) };
    case "cmp":
      return checkComparison(node, scope);
  }
}

/**
 * Resolves a parsed filter against a collection's schema: rejects unknown fields (and hidden ones
 * unless `allowHidden`, with the same message, so hidden fields cannot be detected), json paths
 * on non-json fields, misplaced modifiers and ill-typed comparisons, and converts literals
 * compared with dates or numbers. `:changed` becomes the comparisons it stands for. Throws
 * {@link FilterError} (`INVALID_FILTER`, with position).
 */
export function checkFilter(
  ast: FilterAst,
  schema: CollectionSchema,
  options: CheckOptions,
): CheckedFilter {
  const scope = { schema, allowHidden: options.allowHidden, write: options.request === "write" };
  return { kind: "checked-filter", root: checkNode(ast, scope) };
}
