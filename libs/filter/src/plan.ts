import type { CheckedComparison, CheckedNode, CheckedOperand } from "./checked.ts";
import type { MacroName } from "./dates.ts";
import { compileLike, type LikePattern } from "./like-pattern.ts";
import type { RequestRef } from "./request-values.ts";
import { isNegative } from "./semantics.ts";
import { isEmpty } from "./values.ts";

/**
 * A compiled filter is a tree of nodes of one fixed shape, walked by one shared interpreter
 * (`runPlan`). A closure tree per filter is a little faster while one filter is hot, but with the
 * hundreds of distinct filters an index evaluates its call sites turn megamorphic and it was
 * measured about a third slower than this.
 */

/** Kinds of plan nodes. */
export const NODE = { and: 0, or: 1, true: 2, false: 3, test: 4, generic: 5 } as const;
/** Where a test's value comes from. */
export const SOURCE = { field: 0, literal: 1, auth: 2, context: 3, macro: 4, request: 5 } as const;
/** How a test applies to array items (see `Quantifier`). */
export const QUANT = { one: 0, any: 1, all: 2 } as const;
/** The modifier applied to a value before its test. */
export const MODIFIER = { none: 0, lower: 1, length: 2 } as const;
/** Tests of one value against the literal of a comparison. */
export const TEST = {
  never: 0,
  same: 1,
  empty: 2,
  json: 3,
  numLt: 4,
  numLe: 5,
  numGt: 6,
  numGe: 7,
  strLt: 8,
  strLe: 9,
  strGt: 10,
  strGe: 11,
  like: 12,
} as const;

/** One node of a compiled filter; a test reads its left value from the inlined source fields. */
export class PlanNode {
  items: PlanNode[] = [];
  /** Where a test's left value comes from (see SOURCE), then its details. */
  sourceKind = 0;
  field = "";
  path: readonly string[] = [];
  /** The field name exists on Object.prototype, so only an own property may be read. */
  own = false;
  value: unknown = null;
  macro: MacroName = "now";
  /** For a request source: which value of the request. */
  request: RequestRef | null = null;
  /** For a generic comparison: a node holding the right operand's source fields. */
  right: PlanNode | null = null;
  quant = 0;
  modifier = 0;
  test = 0;
  negate = false;
  /** Result of an all-of test on an empty list. */
  emptyAll = false;
  literal: unknown = null;
  pattern: LikePattern | null = null;
  comparison: CheckedComparison | null = null;

  constructor(readonly kind: number) {}
}

/** Stores where the operand's value comes from in the node's source fields. */
function setSource(node: PlanNode, operand: CheckedOperand): PlanNode {
  const ref = operand.ref;
  switch (ref.kind) {
    case "column":
    case "data": {
      node.sourceKind = SOURCE.field;
      node.field = ref.kind === "column" ? ref.column : ref.field;
      node.path = ref.kind === "data" ? ref.path : [];
      node.own = node.field in Object.prototype;
      break;
    }
    case "literal":
      node.sourceKind = SOURCE.literal;
      node.value = ref.value;
      break;
    case "auth":
      node.sourceKind = SOURCE.auth;
      node.path = ref.path;
      break;
    case "context":
      node.sourceKind = SOURCE.context;
      break;
    case "macro":
      node.sourceKind = SOURCE.macro;
      node.macro = ref.name;
      break;
    case "request":
    case "isset":
    case "method":
      node.sourceKind = SOURCE.request;
      node.request = ref;
      break;
  }
  return node;
}

const ORDER_TESTS: Readonly<Record<string, readonly [number, number]>> = {
  "<": [TEST.numLt, TEST.strLt],
  "<=": [TEST.numLe, TEST.strLe],
  ">": [TEST.numGt, TEST.strGt],
  ">=": [TEST.numGe, TEST.strGe],
};

/** Fills in a specialised test of the left value against a literal; false if there is none. */
function literalTest(node: PlanNode, cmp: CheckedComparison, literal: unknown): boolean {
  const { op } = cmp;
  node.negate = op === "!=" || op === "!~";
  node.literal = literal;
  if (op === "~" || op === "!~") {
    if (typeof literal !== "string") node.test = TEST.never;
    else {
      const like = cmp.like ?? { syntax: "auto", fold: true };
      node.test = TEST.like;
      node.pattern = compileLike(literal, like.syntax, like.fold);
    }
    return true;
  }
  if (op === "=" || op === "!=") {
    if (isEmpty(literal)) node.test = TEST.empty;
    else node.test = typeof literal === "object" ? TEST.json : TEST.same;
    return true;
  }
  const tests = ORDER_TESTS[op] as readonly [number, number];
  if (typeof literal === "number") node.test = tests[0];
  else if (typeof literal === "string") node.test = tests[1];
  else return false;
  return true;
}

function planComparison(cmp: CheckedComparison): PlanNode {
  if (cmp.right.ref.kind === "literal" && cmp.left.coerce === null) {
    const node = new PlanNode(NODE.test);
    if (literalTest(node, cmp, cmp.right.ref.value)) {
      setSource(node, cmp.left);
      node.quant = QUANT[cmp.quant];
      node.modifier = MODIFIER[cmp.left.modifier ?? "none"];
      node.emptyAll = isNegative(cmp.op);
      return node;
    }
  }
  const node = setSource(new PlanNode(NODE.generic), cmp.left);
  node.right = setSource(new PlanNode(NODE.generic), cmp.right);
  node.comparison = cmp;
  return node;
}

/** Compiles a checked node into a plan for `runPlan`. */
export function planNode(node: CheckedNode): PlanNode {
  switch (node.kind) {
    case "const":
      return new PlanNode(node.value ? NODE.true : NODE.false);
    case "cmp":
      return planComparison(node);
    case "and":
    case "or": {
      const plan = new PlanNode(NODE[node.kind]);
      plan.items = node.items.map(planNode);
      return plan;
    }
  }
}
