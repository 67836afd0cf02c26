import type { Modifier, OperandNode } from "./ast.ts";
import type { CheckedOperand, StaticType, ValueRef } from "./checked.ts";
import { isNumericMacro } from "./dates.ts";
import { FilterError, quote } from "./errors.ts";
import {
  type CollectionSchema,
  type FieldSchema,
  findField,
  isFieldName,
  isSystemColumn,
} from "./schema.ts";
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
    case "isset":
      throw new FilterError(":isset applies to @request.body, .query and .headers values", at);
    case "changed":
      throw new FilterError(":changed applies to @request.body fields", at);
  }
}

/** What names resolve against: the collection, whether hidden fields may be read, the request. */
export interface OperandScope {
  schema: CollectionSchema;
  /** Hidden fields may be read (rules), or are reported as unknown (client filters). */
  allowHidden: boolean;
  /** A create, update or delete rule: it may read the request's query parameters and headers. */
  write: boolean;
}

const BASE = { modifier: null, coerce: null, multi: false } as const;

/** A field's value (in the record or the body) with its type and modifier. */
function typedOperand(
  field: FieldSchema,
  ref: ValueRef,
  modifier: Modifier | null,
  pos: number,
): ResolvedOperand {
  if (field.type === "json") {
    return applyModifier({ ...BASE, ref, type: "json", pos }, modifier, true, true);
  }
  if (field.type === "relation") {
    const multi = field.multiple === true;
    return applyModifier({ ...BASE, ref, type: "text", multi, pos }, modifier, multi, multi);
  }
  return applyModifier({ ...BASE, ref, type: field.type, pos }, modifier, false, false);
}

/**
 * The field a path starts with, the rest being a path into a json field. System fields are
 * known only where `system` (a body holds the collection's own fields, never `id` or `created`).
 */
function namedField(
  path: readonly string[],
  scope: OperandScope,
  pos: number,
  system: boolean,
): FieldSchema {
  const [name = "", ...rest] = path;
  const known = isFieldName(name) && (system || !isSystemColumn(name));
  const field = known ? findField(scope.schema, name, scope.allowHidden) : undefined;
  if (field === undefined) throw new FilterError(`unknown field ${quote(name)}`, pos);
  if (rest.length > 0) {
    if (isSystemColumn(name)) throw new FilterError(`${quote(name)} has no sub-fields`, pos);
    if (field.type !== "json") throw new FilterError(`${quote(name)} is not a json field`, pos);
    checkPath(rest, pos);
  }
  return field;
}

function fieldOperand(
  node: Extract<OperandNode, { type: "field" }>,
  scope: OperandScope,
): ResolvedOperand {
  const field = namedField(node.path, scope, node.pos, true);
  const [name = "", ...path] = node.path;
  if (isSystemColumn(name)) {
    const type: StaticType = name === "id" ? "text" : "date";
    return applyModifier(
      { ...BASE, ref: { kind: "column", column: name }, type, pos: node.pos },
      node.modifier,
      false,
      false,
    );
  }
  return typedOperand(field, { kind: "data", field: name, path }, node.modifier, node.pos);
}

/** The collection field a `@request.body.<field>` names (a path may follow into a json field). */
export function bodyField(
  node: Extract<OperandNode, { type: "request" }>,
  scope: OperandScope,
): FieldSchema {
  return namedField(node.path, scope, node.pos, false);
}

function requestOperand(
  node: Extract<OperandNode, { type: "request" }>,
  scope: OperandScope,
): ResolvedOperand {
  const { part, path, modifier, pos } = node;
  const ref = { kind: "request", part, path } as const;
  if (part === "body") {
    const field = bodyField(node, scope);
    if (modifier !== "isset") return typedOperand(field, ref, modifier, pos);
    if (path.length > 1) throw new FilterError(":isset applies to a whole field, not a path", pos);
  } else {
    if (!scope.write) {
      throw new FilterError(
        `only create, update and delete rules can read @request.${part} (list and view rules also decide realtime deliveries, which have none)`,
        pos,
      );
    }
    if (path.length > 1) throw new FilterError(`@request.${part} values have no sub-fields`, pos);
    if (part === "headers" && /[A-Z]/.test(path[0] ?? "")) {
      throw new FilterError("header names are lowercase, with _ for - (x_token)", pos);
    }
    // Query parameters and headers are strings, or absent: known at run time, like auth values.
    if (modifier !== "isset") {
      return applyModifier({ ...BASE, ref, type: "dynamic", pos }, modifier, false, false);
    }
  }
  return { ...BASE, ref: { kind: "isset", part, name: path[0] ?? "" }, type: "bool", pos };
}

/** Resolves one side of a comparison: field names, modifiers and static types. */
export function resolveOperand(node: OperandNode, scope: OperandScope): ResolvedOperand {
  const base = { ...BASE, pos: node.pos };
  switch (node.type) {
    case "field":
      return fieldOperand(node, scope);
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
    case "method":
      return applyModifier(
        { ...base, ref: { kind: node.type }, type: "text" },
        node.modifier,
        false,
        false,
      );
    case "request":
      return requestOperand(node, scope);
    case "macro":
      return {
        ...base,
        ref: { kind: "macro", name: node.name },
        type: isNumericMacro(node.name) ? "number" : "date",
      };
  }
}
