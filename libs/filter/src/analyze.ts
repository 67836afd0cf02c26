import type { CheckedComparison, CheckedFilter, CheckedNode, CheckedOperand } from "./checked.ts";
import { readsRecord } from "./checked.ts";
import type { JsonValue } from "./schema.ts";

/** An equality a filter requires of every matching record: usable as an index key. */
export interface FilterEquality {
  /** Record field (a system column or a `data` field) and path inside a json field. */
  field: string;
  path: string[];
  /** `eq`: the value equals; `any`: some item of the value equals (`?=`). */
  mode: "eq" | "any";
  /** A literal, or a field of the user's auth record (dotted path). */
  value: { kind: "literal"; value: JsonValue } | { kind: "auth"; path: string[] };
}

/** What a filter reads, and which of its conditions can be looked up by hash. */
export interface FilterAnalysis {
  /** Record fields read (top-level names, system columns included). */
  fields: string[];
  /** `@request.auth` fields read, as dotted paths (`id`, `meta.team`). */
  authFields: string[];
  /** Whether it uses `@now` and the other date macros (so its result changes with time). */
  usesNow: boolean;
  /** Whether it reads `@request.context`. */
  usesContext: boolean;
  /** Top-level AND conjuncts `field = literal`, `field = @request.auth.x`, `field ?= …`. */
  equalities: FilterEquality[];
}

/** The equality a comparison states, if it is `record field = literal or auth value`. */
export function equalityOf(cmp: CheckedComparison): FilterEquality | null {
  if (cmp.op !== "=" || cmp.quant === "all") return null;
  const [field, other] = readsRecord(cmp.left) ? [cmp.left, cmp.right] : [cmp.right, cmp.left];
  if (
    !readsRecord(field) ||
    field.modifier !== null ||
    readsRecord(other) ||
    other.modifier !== null
  ) {
    return null;
  }
  if (cmp.quant === "any" && field !== cmp.left) return null;
  const value = other.ref;
  const mode = cmp.quant === "any" ? "any" : "eq";
  const [name, path] =
    field.ref.kind === "column"
      ? [field.ref.column, []]
      : field.ref.kind === "data"
        ? [field.ref.field, [...field.ref.path]]
        : ["", []];
  if (value.kind === "literal")
    return { field: name, path, mode, value: { kind: "literal", value: value.value } };
  if (value.kind === "auth" && other.coerce === null) {
    return { field: name, path, mode, value: { kind: "auth", path: [...value.path] } };
  }
  return null;
}

function visitOperands(node: CheckedNode, visit: (operand: CheckedOperand) => void): void {
  if (node.kind === "cmp") {
    visit(node.left);
    visit(node.right);
  } else if (node.kind !== "const") {
    for (const item of node.items) visitOperands(item, visit);
  }
}

/** Lists what a checked filter reads and its top-level equalities. */
export function analyzeFilter(checked: CheckedFilter): FilterAnalysis {
  const fields = new Set<string>();
  const authFields = new Set<string>();
  let usesNow = false;
  let usesContext = false;
  visitOperands(checked.root, (operand) => {
    const ref = operand.ref;
    if (ref.kind === "column") fields.add(ref.column);
    else if (ref.kind === "data") fields.add(ref.field);
    else if (ref.kind === "auth") authFields.add(ref.path.join("."));
    else if (ref.kind === "macro") usesNow = true;
    else if (ref.kind === "context") usesContext = true;
  });
  const root = checked.root;
  const conjuncts = root.kind === "and" ? root.items : [root];
  const equalities = conjuncts.flatMap((node) =>
    node.kind === "cmp" ? (equalityOf(node) ?? []) : [],
  );
  return { fields: [...fields], authFields: [...authFields], usesNow, usesContext, equalities };
}
