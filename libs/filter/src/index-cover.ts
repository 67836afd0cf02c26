import { combine } from "./bind.ts";
import type { CheckedComparison, CheckedNode, CheckedOperand } from "./checked.ts";
import { readsRecord } from "./checked.ts";

/** Which value of a record a bucket index files groups under. */
export interface ProbeSpec {
  id: string;
  field: string;
  path: readonly string[];
  /** Compare the `:lower` form. */
  lower: boolean;
  /** `eq`: the whole value; `any`: each item. */
  mode: "eq" | "any";
}

/**
 * A necessary condition of a group: the record's value (or one of its items) equals `value`.
 * `exact` when it is also the whole meaning of `node`, so `node` need not be evaluated again.
 */
export interface CoverEntry {
  probe: ProbeSpec;
  value: unknown;
  exact: boolean;
  node: CheckedComparison;
}

function probeOf(operand: CheckedOperand, mode: "eq" | "any"): ProbeSpec | null {
  const ref = operand.ref;
  if (operand.modifier === "length") return null;
  const lower = operand.modifier === "lower";
  const [field, path] =
    ref.kind === "column"
      ? [ref.column, []]
      : ref.kind === "data"
        ? [ref.field, ref.path]
        : [null, []];
  if (field === null) return null;
  const id = `${mode}${lower ? ":lower" : ""}:${[field, ...path].join(".")}`;
  return { id, field, path, lower, mode };
}

/** The cover entry a comparison gives: `field = literal`, `field ?= literal`, all-of `=`. */
export function coverEntry(cmp: CheckedComparison): CoverEntry | null {
  if (cmp.op !== "=") return null;
  let field = cmp.left;
  let other = cmp.right;
  if (cmp.quant === "one" && !readsRecord(field)) [field, other] = [other, field];
  if (!readsRecord(field) || other.ref.kind !== "literal") return null;
  // An all-of `tags = x` (every item, at least one) implies that some item equals x.
  const probe = probeOf(field, cmp.quant === "one" ? "eq" : "any");
  if (probe === null) return null;
  return { probe, value: other.ref.value, exact: cmp.quant !== "all", node: cmp };
}

/** Picks one alternative; given at least one. */
export type Chooser = (alternatives: CoverEntry[][]) => CoverEntry[];

/**
 * The ways to cover a condition: each alternative is a list of entries at least one of which
 * holds for every matching record. Empty when the condition cannot be covered.
 */
export function coverAlternatives(node: CheckedNode, choose: Chooser): CoverEntry[][] {
  switch (node.kind) {
    case "const":
      return [];
    case "cmp": {
      const entry = coverEntry(node);
      return entry === null ? [] : [[entry]];
    }
    case "and":
      return node.items.flatMap((item) => coverAlternatives(item, choose));
    case "or": {
      const picked: CoverEntry[] = [];
      for (const item of node.items) {
        const alternatives = coverAlternatives(item, choose);
        if (alternatives.length === 0) return [];
        picked.push(...choose(alternatives));
      }
      return [picked];
    }
  }
}

/**
 * The condition left to evaluate once `entry` is known to hold: the condition without that
 * conjunct when the entry is exact and a top-level conjunct, otherwise the whole condition.
 */
export function residualOf(root: CheckedNode, entries: readonly CoverEntry[]): CheckedNode {
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only === undefined || !only.exact) return root;
  if (root === only.node) return { kind: "const", value: true };
  if (root.kind === "and" && root.items.includes(only.node)) {
    return combine(
      "and",
      root.items.filter((item) => item !== only.node),
    );
  }
  return root;
}
