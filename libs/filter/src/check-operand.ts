import type { Modifier, OperandNode } from "./ast.ts";
import type { CheckedOperand, StaticType } from "./checked.ts";
import { isNumericMacro } from "./dates.ts";
import { FilterError, quote } from "./errors.ts";
import { type CollectionSchema, findField, isFieldName, isSystemColumn } from "./schema.ts";
import { arrayIndex } from "./values.ts";

/** An operand resolved against the schema, before the comparison fixes its quantifier. */
export interface ResolvedOperand extends CheckedOperand {
  /** Its items are compared one by one (a multiple relation, or `:each`). */
  multi: boolean;
}

function checkPath(path: readonly string[], pos: number): void {
  for (const segment of path) {
    if (!isFieldName(segment) && arrayIndex(segment) < 0) {
      throw new FilterError(`invalid path segment ${quote(segment)}`, pos);
    }
  }
}

function applyModifier(
  operand: ResolvedOperand,
  modifier: Modifier | null,
  canCount: boolean,
  canEach: boolean,
): ResolvedOperand {
  const at = operand.pos;
  switch (modifier) {
    case null:
      return operand;
    case "lower":
      if (operand.type !== "text" && operand.type !== "json" && operand.type !== "dynamic") {
        throw new FilterError(`:lower applies to text, not ${operand.type}`, at);
      }
      return { ...operand, modifier: "lower" };
    case "length":
      if (!canCount) throw new FilterError(":length applies to multiple and json fields", at);
      return { ...operand, modifier: "length", type: "number", multi: false };
    case "each":
      if (!canEach) throw new FilterError(":each applies to multiple and json fields", at);
      return { ...operand, multi: true };
  }
}

function fieldOperand(
  node: Extract<OperandNode, { type: "field" }>,
  schema: CollectionSchema,
  allowHidden: boolean,
): ResolvedOperand {
  const [name = "", ...path] = node.path;
  const field = isFieldName(name) ? findField(schema, name, allowHidden) : undefined;
  if (field === undefined) throw new FilterError(`unknown field ${quote(name)}`, node.pos);
  const base = { modifier: null, coerce: null, pos: node.pos, multi: false } as const;
  if (isSystemColumn(name)) {
    if (path.length > 0) throw new FilterError(`${quote(name)} has no sub-fields`, node.pos);
    const type: StaticType = name === "id" ? "text" : "date";
    return applyModifier(
      { ...base, ref: { kind: "column", column: name }, type },
      node.modifier,
      false,
      false,
    );
  }
  if (path.length > 0 && field.type !== "json") {
    throw new FilterError(`${quote(name)} is not a json field`, node.pos);
  }
  checkPath(path, node.pos);
  const ref = { kind: "data", field: name, path } as const;
  if (field.type === "json") {
    return applyModifier({ ...base, ref, type: "json" }, node.modifier, true, true);
  }
  if (field.type === "relation") {
    const multi = field.multiple === true;
    return applyModifier({ ...base, ref, type: "text", multi }, node.modifier, multi, multi);
  }
  return applyModifier({ ...base, ref, type: field.type }, node.modifier, false, false);
}

/** Resolves one side of a comparison: field names, modifiers and static types. */
export function resolveOperand(
  node: OperandNode,
  schema: CollectionSchema,
  allowHidden: boolean,
): ResolvedOperand {
  const base = { modifier: null, coerce: null, pos: node.pos, multi: false } as const;
  switch (node.type) {
    case "field":
      return fieldOperand(node, schema, allowHidden);
    case "literal": {
      const v = node.value;
      const type: StaticType =
        v === null
          ? "null"
          : typeof v === "string"
            ? "text"
            : typeof v === "number"
              ? "number"
              : typeof v === "boolean"
                ? "bool"
                : "json";
      return { ...base, ref: { kind: "literal", value: v }, type };
    }
    case "auth":
      checkPath(node.path, node.pos);
      return applyModifier(
        { ...base, ref: { kind: "auth", path: node.path }, type: "dynamic" },
        node.modifier,
        true,
        false,
      );
    case "context":
      return applyModifier(
        { ...base, ref: { kind: "context" }, type: "text" },
        node.modifier,
        false,
        false,
      );
    case "macro":
      return {
        ...base,
        ref: { kind: "macro", name: node.name },
        type: isNumericMacro(node.name) ? "number" : "date",
      };
  }
}
