import type { CheckedComparison, CheckedNode, CheckedOperand, ValueRef } from "./checked.ts";
import { macroValue } from "./dates.ts";
import { readRequest } from "./request-values.ts";
import type { AuthRecord, JsonValue, RequestContext, RequestData } from "./schema.ts";
import { testComparison, transform } from "./semantics.ts";
import { normalizeExternal, readPath } from "./values.ts";

/** Values known before the records are: each one given is substituted into the filter. */
export interface BoundValues {
  auth?: AuthRecord;
  context?: RequestContext;
  nowMs?: number;
  /** The write request a create, update or delete rule judges. */
  request?: RequestData;
}

/** The value of a request-side operand, or `unbound` when `values` does not provide it. */
function requestValue(ref: ValueRef, values: BoundValues): { value: unknown } | "unbound" {
  switch (ref.kind) {
    case "auth":
      if (!("auth" in values)) return "unbound";
      return { value: normalizeExternal(readPath(values.auth, ref.path)) };
    case "context":
      return values.context === undefined ? "unbound" : { value: values.context };
    case "macro":
      return values.nowMs === undefined ? "unbound" : { value: macroValue(ref.name, values.nowMs) };
    case "request":
    case "isset":
    case "method":
      return values.request === undefined ? "unbound" : { value: readRequest(values.request, ref) };
    default:
      return "unbound";
  }
}

function literal(operand: CheckedOperand, value: unknown, keepModifier: boolean): CheckedOperand {
  const json = (value === undefined ? null : value) as JsonValue;
  if (keepModifier) return { ...operand, ref: { kind: "literal", value: json } };
  return { ...operand, ref: { kind: "literal", value: json }, modifier: null, coerce: null };
}

function bindOperand(
  operand: CheckedOperand,
  values: BoundValues,
  perItem: boolean,
): CheckedOperand {
  const found = requestValue(operand.ref, values);
  if (found === "unbound") return operand;
  // A quantified left side keeps its modifier: it applies to each item, not to the whole.
  return perItem
    ? literal(operand, found.value, true)
    : literal(operand, transform(operand, found.value), false);
}

function bindComparison(cmp: CheckedComparison, values: BoundValues): CheckedNode {
  const left = bindOperand(cmp.left, values, cmp.quant !== "one");
  const right = bindOperand(cmp.right, values, false);
  if (left.ref.kind === "literal" && right.ref.kind === "literal") {
    return {
      kind: "const",
      value: testComparison({ ...cmp, left, right }, left.ref.value, right.ref.value),
    };
  }
  return { ...cmp, left, right };
}

/** Builds `and`/`or`, dropping neutral constants and collapsing decided ones. */
export function combine(kind: "and" | "or", items: readonly CheckedNode[]): CheckedNode {
  const decisive = kind === "or";
  const kept: CheckedNode[] = [];
  for (const item of items) {
    if (item.kind === "const") {
      if (item.value === decisive) return item;
      continue;
    }
    if (item.kind === kind) kept.push(...item.items);
    else kept.push(item);
  }
  if (kept.length === 0) return { kind: "const", value: !decisive };
  return kept.length === 1 ? (kept[0] as CheckedNode) : { kind, items: kept };
}

/**
 * Substitutes `@request.auth.*`, `@request.context`, the date macros and the write request's
 * values with their values (those given in `values`) and folds what becomes constant.
 * `@request.auth.id != ""` becomes `true` or `false`, so subscribers who differ only in fields a
 * rule does not read end up identical.
 */
export function bindValues(node: CheckedNode, values: BoundValues): CheckedNode {
  switch (node.kind) {
    case "const":
      return node;
    case "and":
    case "or":
      return combine(
        node.kind,
        node.items.map((item) => bindValues(item, values)),
      );
    case "cmp":
      return bindComparison(node, values);
  }
}
