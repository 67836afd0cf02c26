import type { EvalEnv } from "./eval-env.ts";
import { matchLike } from "./like-match.ts";
import { MODIFIER, NODE, type PlanNode, QUANT, SOURCE, TEST } from "./plan.ts";
import { type RequestRef, readRequest } from "./request-values.ts";
import type { RecordData } from "./schema.ts";
import { testComparison } from "./semantics.ts";
import {
  compareCodePoints,
  isEmpty,
  lengthOf,
  lowerValue,
  normalizeExternal,
  ownValue,
  readPath,
  valuesEqual,
} from "./values.ts";

/** Reads the value a node's source fields describe. */
function read(source: PlanNode, record: RecordData, env: EvalEnv): unknown {
  switch (source.sourceKind) {
    case SOURCE.field: {
      const value = source.own ? ownValue(record, source.field) : record[source.field];
      return source.path.length === 0 ? value : readPath(value, source.path);
    }
    case SOURCE.literal:
      return source.value;
    case SOURCE.auth:
      return normalizeExternal(readPath(env.auth, source.path));
    case SOURCE.context:
      return env.context;
    case SOURCE.request:
      return readRequest(env.requestData(), source.request as RequestRef);
    default:
      return env.macro(source.macro);
  }
}

/** The node's test on one value (an item, for any-of and all-of). */
function check(node: PlanNode, raw: unknown): boolean {
  const v =
    node.modifier === MODIFIER.none
      ? raw
      : node.modifier === MODIFIER.lower
        ? lowerValue(raw)
        : lengthOf(raw);
  const literal = node.literal;
  let result: boolean;
  switch (node.test) {
    case TEST.same:
      result = v === literal;
      break;
    case TEST.empty:
      result = isEmpty(v);
      break;
    case TEST.json:
      result = valuesEqual(v, literal);
      break;
    case TEST.numLt:
      result = typeof v === "number" && v < (literal as number);
      break;
    case TEST.numLe:
      result = typeof v === "number" && v <= (literal as number);
      break;
    case TEST.numGt:
      result = typeof v === "number" && v > (literal as number);
      break;
    case TEST.numGe:
      result = typeof v === "number" && v >= (literal as number);
      break;
    case TEST.strLt:
      result = typeof v === "string" && compareCodePoints(v, literal as string) < 0;
      break;
    case TEST.strLe:
      result = typeof v === "string" && compareCodePoints(v, literal as string) <= 0;
      break;
    case TEST.strGt:
      result = typeof v === "string" && compareCodePoints(v, literal as string) > 0;
      break;
    case TEST.strGe:
      result = typeof v === "string" && compareCodePoints(v, literal as string) >= 0;
      break;
    case TEST.like:
      result =
        typeof v === "string" && matchLike(node.pattern as NonNullable<PlanNode["pattern"]>, v);
      break;
    default:
      result = false;
  }
  return node.negate ? !result : result;
}

function testNode(node: PlanNode, record: RecordData, env: EvalEnv): boolean {
  const value = read(node, record, env);
  if (node.quant === QUANT.one) return check(node, value);
  if (!Array.isArray(value)) {
    if (value === undefined || value === null) return node.quant === QUANT.all && node.emptyAll;
    return check(node, value);
  }
  if (node.quant === QUANT.any) {
    for (let i = 0; i < value.length; i++) if (check(node, value[i])) return true;
    return false;
  }
  if (value.length === 0) return node.emptyAll;
  for (let i = 0; i < value.length; i++) if (!check(node, value[i])) return false;
  return true;
}

/** Evaluates a compiled filter on a record. */
export function runPlan(node: PlanNode, record: RecordData, env: EvalEnv): boolean {
  switch (node.kind) {
    case NODE.and: {
      const items = node.items;
      for (let i = 0; i < items.length; i++)
        if (!runPlan(items[i] as PlanNode, record, env)) return false;
      return true;
    }
    case NODE.or: {
      const items = node.items;
      for (let i = 0; i < items.length; i++)
        if (runPlan(items[i] as PlanNode, record, env)) return true;
      return false;
    }
    case NODE.true:
      return true;
    case NODE.false:
      return false;
    case NODE.test:
      return testNode(node, record, env);
    default: {
      const comparison = node.comparison as NonNullable<PlanNode["comparison"]>;
      return testComparison(
        comparison,
        read(node, record, env),
        read(node.right as PlanNode, record, env),
      );
    }
  }
}
