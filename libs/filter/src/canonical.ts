import type { CheckedNode, CheckedOperand } from "./checked.ts";
import { canonicalJson } from "./values.ts";

function operandText(operand: CheckedOperand): string {
  const ref = operand.ref;
  let text: string;
  switch (ref.kind) {
    case "column":
      text = `c:${ref.column}`;
      break;
    case "data":
      text = `d:${[ref.field, ...ref.path].join(".")}`;
      break;
    case "literal":
      text = `l:${canonicalJson(ref.value)}`;
      break;
    case "auth":
      text = `a:${ref.path.join(".")}`;
      break;
    case "context":
      text = "x";
      break;
    case "macro":
      text = `m:${ref.name}`;
      break;
    case "request":
      text = `r:${ref.part}:${ref.path.join(".")}`;
      break;
    case "isset":
      text = `i:${ref.part}:${ref.name}`;
      break;
    case "method":
      text = "M";
      break;
  }
  return `${text}:${operand.modifier ?? ""}:${operand.coerce ?? ""}`;
}

/**
 * A text that two nodes share exactly when they mean the same (ignoring source positions), used
 * to group subscriptions and share compiled residual conditions.
 */
export function canonicalNode(node: CheckedNode): string {
  switch (node.kind) {
    case "const":
      return node.value ? "T" : "F";
    case "and":
    case "or":
      return `${node.kind === "and" ? "&" : "|"}(${node.items.map(canonicalNode).join(",")})`;
    case "cmp": {
      const like = node.like === null ? "" : `${node.like.syntax}${node.like.fold ? "/i" : ""}`;
      return `(${operandText(node.left)} ${node.quant}${node.op}${like} ${operandText(node.right)})`;
    }
  }
}
