import type { OperandNode } from "./ast.ts";
import { bodyField, type OperandScope } from "./check-operand.ts";
import type {
  CheckedComparison,
  CheckedNode,
  CheckedOperand,
  StaticType,
  ValueRef,
} from "./checked.ts";
import { FilterError } from "./errors.ts";
import type { FieldSchema } from "./schema.ts";

/** `@request.body.<field>:changed`, the one operand that reads both the request and the record. */
export type ChangedNode = Extract<OperandNode, { type: "request" }> & { modifier: "changed" };

/** True for a `:changed` operand (of any request part, so that misuse gets a clear error). */
export function isChanged(node: OperandNode): node is ChangedNode {
  return node.type === "request" && node.modifier === "changed";
}

/**
 * `@request.body.f:changed = true` (or `= false`, `!= …`), spelled out as PocketBase defines it:
 * `@request.body.f:isset = true && @request.body.f != f`, `f` being the record the rule judges
 * (for an update, the stored one). The values are compared whole, with the meaning of `=`
 * (missing, null and "" are equal); for a multiple relation `[]` is empty too, and the order of
 * the ids counts. In a create rule the record is made of the body, so nothing has changed.
 */
function changedCondition(field: FieldSchema, changed: boolean, pos: number): CheckedNode {
  const type: StaticType = field.type === "relation" ? "text" : field.type;
  const operand = (ref: ValueRef, length = false): CheckedOperand => ({
    ref,
    modifier: length ? "length" : null,
    coerce: null,
    type: length ? "number" : type,
    pos,
  });
  const literal = (value: boolean | number): CheckedOperand => ({
    ref: { kind: "literal", value },
    modifier: null,
    coerce: null,
    type: typeof value === "boolean" ? "bool" : "number",
    pos,
  });
  const stored = { kind: "data", field: field.name, path: [] } as const;
  const sent = { kind: "request", part: "body", path: [field.name] } as const;
  const isset: CheckedOperand = {
    ...literal(true),
    ref: { kind: "isset", part: "body", name: field.name },
  };
  const test = (
    op: "=" | "!=",
    left: CheckedOperand,
    right: CheckedOperand,
  ): CheckedComparison => ({
    kind: "cmp",
    op,
    quant: "one",
    left,
    right,
    like: null,
    pos,
  });
  // The stored and submitted values are equal (op "="), or differ (op "!=").
  const compare = (op: "=" | "!="): CheckedNode => {
    const whole = test(op, operand(stored), operand(sent));
    if (field.multiple !== true) return whole;
    // No ids stored and none sent are equal however each is spelled (missing, null, []).
    const lengths = [
      test(op, operand(stored, true), literal(0)),
      test(op, operand(sent, true), literal(0)),
    ];
    return op === "="
      ? { kind: "or", items: [whole, { kind: "and", items: lengths }] }
      : { kind: "and", items: [whole, { kind: "or", items: lengths }] };
  };
  return changed
    ? { kind: "and", items: [test("=", isset, literal(true)), compare("!=")] }
    : { kind: "or", items: [test("=", isset, literal(false)), compare("=")] };
}

/**
 * Checks a comparison with a `:changed` operand: it must be compared with `true` or `false` by
 * `=` or `!=`, and name a whole field of the collection. Returns the condition it stands for; in
 * list and view rules, which judge a request without a body, that is a constant.
 */
export function checkChanged(
  changedSide: ChangedNode,
  other: OperandNode,
  op: string,
  scope: OperandScope,
): CheckedNode {
  const { part, path, pos } = changedSide;
  if (part !== "body") throw new FilterError(":changed applies to @request.body fields", pos);
  if (other.type !== "literal" || typeof other.value !== "boolean" || (op !== "=" && op !== "!=")) {
    throw new FilterError(":changed can only be compared with true or false, using = or !=", pos);
  }
  if (path.length > 1) throw new FilterError(":changed applies to a whole field, not a path", pos);
  const field = bodyField(changedSide, scope);
  const wanted = (op === "=") === other.value;
  return scope.write ? changedCondition(field, wanted, pos) : { kind: "const", value: !wanted };
}
