import type { FilterAst, FilterNode, LikeSyntax, OperandNode, Operator } from "./ast.ts";
import { FilterError, quote } from "./errors.ts";
import { type PositionedJson, positionValue, readJson } from "./json-reader.ts";
import { type FilterLimits, resolveLimits } from "./limits.ts";
import type { JsonValue } from "./schema.ts";

interface OperatorSpec {
  op: Operator;
  like?: LikeSyntax;
  fold?: boolean;
  /** The value must be a string (the LIKE family). */
  text?: boolean;
}

const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  $eq: { op: "=" },
  $neq: { op: "!=" },
  $gt: { op: ">" },
  $gte: { op: ">=" },
  $lt: { op: "<" },
  $lte: { op: "<=" },
  $like: { op: "~", like: "pattern", fold: false, text: true },
  $notlike: { op: "!~", like: "pattern", fold: false, text: true },
  $contains: { op: "~", like: "contains", fold: false, text: true },
  $notcontains: { op: "!~", like: "contains", fold: false, text: true },
  $containsfold: { op: "~", like: "contains", fold: true, text: true },
  $notcontainsfold: { op: "!~", like: "contains", fold: true, text: true },
};

function plain(json: PositionedJson): JsonValue {
  switch (json.kind) {
    case "scalar":
      return json.value;
    case "array":
      return json.items.map(plain);
    case "object": {
      const out: Record<string, JsonValue> = {};
      for (const entry of json.entries) {
        // defineProperty, because assigning a "__proto__" key would replace the prototype.
        Object.defineProperty(out, entry.key, {
          value: plain(entry.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
  }
}

function combine(type: "and" | "or", items: FilterNode[], pos: number): FilterNode {
  if (items.length === 1) return items[0] as FilterNode;
  if (items.length === 0) return { type: "const", value: type === "and", pos };
  return { type, items, pos };
}

class FastSchemaReader {
  private terms = 0;

  constructor(private readonly limits: FilterLimits) {}

  filter(json: PositionedJson): FilterNode {
    if (json.kind !== "object") throw new FilterError("a filter must be a JSON object", json.pos);
    const items: FilterNode[] = [];
    for (const { key, keyPos, value } of json.entries) {
      if (key === "$and" || key === "$or") {
        if (value.kind !== "array" || value.items.length === 0) {
          throw new FilterError(`${key} needs a non-empty array of filters`, value.pos);
        }
        const parts = value.items.map((item) => this.filter(item));
        items.push(combine(key === "$and" ? "and" : "or", parts, keyPos));
      } else if (key.startsWith("$")) {
        throw new FilterError(`unknown operator ${quote(key)}`, keyPos);
      } else {
        items.push(this.field(key, keyPos, value));
      }
    }
    return combine("and", items, json.pos);
  }

  private field(key: string, keyPos: number, value: PositionedJson): FilterNode {
    const field: OperandNode = { type: "field", path: key.split("."), modifier: null, pos: keyPos };
    if (value.kind !== "object") return this.cmp(field, { op: "=" }, value);
    if (value.entries.length === 0) throw new FilterError("no operator given", value.pos);
    const items = value.entries.map(({ key: name, keyPos: at, value: operand }) => {
      if (name === "$in" || name === "$nin") {
        if (operand.kind !== "array") throw new FilterError(`${name} needs an array`, operand.pos);
        const op: Operator = name === "$in" ? "=" : "!=";
        const parts = operand.items.map((item) => this.cmp(field, { op }, item));
        return combine(name === "$in" ? "or" : "and", parts, at);
      }
      if (name === "$null") {
        if (operand.kind !== "scalar" || typeof operand.value !== "boolean") {
          throw new FilterError("$null needs true or false", operand.pos);
        }
        const op: Operator = operand.value ? "=" : "!=";
        return this.cmp(field, { op }, { kind: "scalar", value: null, pos: operand.pos });
      }
      const spec = OPERATORS[name];
      if (spec === undefined) throw new FilterError(`unknown operator ${quote(name)}`, at);
      if (spec.text && (operand.kind !== "scalar" || typeof operand.value !== "string")) {
        throw new FilterError(`${name} needs a string`, operand.pos);
      }
      return this.cmp(field, spec, operand);
    });
    return combine("and", items, keyPos);
  }

  private cmp(field: OperandNode, spec: OperatorSpec, value: PositionedJson): FilterNode {
    if (++this.terms > this.limits.maxTerms) {
      throw new FilterError(`more than ${this.limits.maxTerms} conditions`, value.pos);
    }
    return {
      type: "cmp",
      op: spec.op,
      any: false,
      left: field,
      right: { type: "literal", value: plain(value), pos: value.pos },
      like: spec.like ?? "auto",
      fold: spec.fold ?? false,
      pos: field.pos,
    };
  }
}

/**
 * Parses FastSchema's JSON filter syntax (`{"status":"published","age":{"$gt":5}}`), given as
 * JSON text or as an already-parsed value, into the same AST as {@link parseFilter}. Dotted keys
 * are paths into json fields. Empty text or `{}` matches everything.
 */
export function parseFastSchemaFilter(input: unknown, limits?: Partial<FilterLimits>): FilterAst {
  const resolved = resolveLimits(limits);
  if (typeof input === "string") {
    if (input.length > resolved.maxLength) {
      throw new FilterError(
        `filter longer than ${resolved.maxLength} characters`,
        resolved.maxLength,
      );
    }
    if (input.trim() === "") return { type: "const", value: true, pos: 0 };
    return new FastSchemaReader(resolved).filter(readJson(input, resolved.maxDepth));
  }
  return new FastSchemaReader(resolved).filter(positionValue(input, resolved.maxDepth));
}
