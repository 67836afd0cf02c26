import type { FilterAst, FilterNode, OperandNode, Operator } from "./ast.ts";
import { FilterError, quote } from "./errors.ts";
import { type FilterLimits, resolveLimits } from "./limits.ts";
import { type CollectionSchema, type FieldType, findField, type JsonValue } from "./schema.ts";
import { spellsNumber } from "./values.ts";

/** Options of {@link parseFluxbaseFilter}. */
export interface FluxbaseFilterOptions {
  /**
   * The collection's fields, to read each value as its field's type: `true`/`false` for bool
   * fields, and for json fields every JSON value whose text form is the value (`5` and `"5"`).
   * Without it every value is a string (which the checker still converts for number and date
   * fields).
   */
  schema?: CollectionSchema;
  limits?: Partial<FilterLimits>;
}

const OPERATORS = ["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "is", "in"] as const;
type FluxbaseOperator = (typeof OPERATORS)[number];

const ORDERING: Partial<Record<FluxbaseOperator, Operator>> = {
  gt: ">",
  gte: ">=",
  lt: "<",
  lte: "<=",
};

// A column is a name, or a path into a json column: `meta->a->>b` (`->` and `->>` alike).
const SEGMENT = /^\w+$/;

function combine(type: "and" | "or", items: FilterNode[], pos: number): FilterNode {
  if (items.length === 1) return items[0] as FilterNode;
  if (items.length === 0) return { type: "const", value: type === "and", pos };
  return { type, items, pos };
}

/** `*` is Fluxbase's wildcard; `%`, `_` and `\` are literal, so they are escaped for LIKE. */
function likePattern(value: string): string {
  return value.replace(/[%_\\*]/g, (ch) => (ch === "*" ? "%" : `\\${ch}`));
}

class FluxbaseReader {
  private terms = 0;

  constructor(
    private readonly limits: FilterLimits,
    private readonly schema: CollectionSchema | undefined,
  ) {}

  read(text: string): FilterNode {
    const eq = text.indexOf("=");
    if (eq < 0) throw new FilterError("expected column=operator.value", text.length);
    const field = this.column(text.slice(0, eq));
    const dot = text.indexOf(".", eq + 1);
    const name = text.slice(eq + 1, dot < 0 ? text.length : dot);
    if (!(OPERATORS as readonly string[]).includes(name)) {
      throw new FilterError(`unknown operator ${quote(name)}`, eq + 1);
    }
    if (dot < 0) throw new FilterError(`expected "." after ${quote(name)}`, text.length);
    const value = text.slice(dot + 1);
    if (value === "") throw new FilterError("missing value", dot + 1);
    return this.condition(field, name as FluxbaseOperator, value, dot + 1);
  }

  private column(text: string): Extract<OperandNode, { type: "field" }> {
    const path = text.split(/->>?/);
    if (!path.every((segment) => SEGMENT.test(segment))) {
      throw new FilterError(`invalid column ${quote(text)}`, 0);
    }
    return { type: "field", path, modifier: null, pos: 0 };
  }

  private condition(
    field: Extract<OperandNode, { type: "field" }>,
    op: FluxbaseOperator,
    value: string,
    at: number,
  ): FilterNode {
    const type = this.typeOf(field);
    switch (op) {
      case "eq":
      case "neq":
        return this.equality(field, op === "eq", this.candidates(type, value, at), at);
      case "in": {
        const items: FilterNode[] = [];
        // As Fluxbase reads it: parentheses trimmed off both ends, items split at commas.
        const start = value.length - value.replace(/^\(+/, "").length;
        const list = value.replace(/^\(+/, "").replace(/\)+$/, "");
        if (list === "") return { type: "const", value: false, pos: at };
        let offset = at + start;
        for (const raw of list.split(",")) {
          const item = raw.trim();
          const pos = offset + raw.indexOf(item);
          items.push(this.equality(field, true, this.candidates(type, item, pos), pos));
          offset += raw.length + 1;
        }
        return combine("or", items, at);
      }
      case "is": {
        const word = value.toLowerCase();
        if (word === "null") return this.cmp(field, "=", null, at);
        if (word !== "true" && word !== "false") {
          throw new FilterError(`is takes null, true or false, not ${quote(value)}`, at);
        }
        return this.equality(field, true, this.candidates(type, word, at), at);
      }
      case "like":
      case "ilike":
        return this.cmp(field, "~", likePattern(value), at, op === "ilike");
      default:
        return this.cmp(field, ORDERING[op] as Operator, this.ordered(type, value, at), at);
    }
  }

  private typeOf(field: Extract<OperandNode, { type: "field" }>): FieldType | undefined {
    const name = field.path[0] as string;
    // Hidden fields are typed too: the checker refuses them with the unknown-field message.
    return this.schema ? findField(this.schema, name, true)?.type : undefined;
  }

  /** The values whose text form (Go's `fmt.Sprint`, which Fluxbase compares) is `value`. */
  private candidates(type: FieldType | undefined, value: string, at: number): JsonValue[] {
    if (type === "bool") {
      if (value === "true" || value === "false") return [value === "true"];
      throw new FilterError(`${quote(value)} is not a bool`, at);
    }
    if (type !== "json") return [value];
    const out: JsonValue[] = [value];
    const number = spellsNumber(value);
    if (number !== null) out.push(number);
    if (value === "true" || value === "false") out.push(value === "true");
    return out;
  }

  /** Ordering compares numbers when the value spells one, as Fluxbase does, else strings. */
  private ordered(type: FieldType | undefined, value: string, at: number): JsonValue {
    if (type === "bool") return this.candidates(type, value, at)[0] as JsonValue;
    if (type === "json") return spellsNumber(value) ?? value;
    return value;
  }

  private equality(
    field: OperandNode,
    equal: boolean,
    values: JsonValue[],
    at: number,
  ): FilterNode {
    const items = values.map((value) => this.cmp(field, equal ? "=" : "!=", value, at));
    return combine(equal ? "or" : "and", items, at);
  }

  private cmp(field: OperandNode, op: Operator, value: JsonValue, at: number, fold = false) {
    if (++this.terms > this.limits.maxTerms) {
      throw new FilterError(`more than ${this.limits.maxTerms} conditions`, at);
    }
    const right: OperandNode = { type: "literal", value, pos: at };
    // `like` and `fold` only matter for `~`: LIKE patterns, case-sensitive unless `ilike`.
    return {
      type: "cmp",
      op,
      any: false,
      left: field,
      right,
      like: "pattern",
      fold,
      pos: 0,
    } as const;
  }
}

/**
 * Parses Fluxbase's (PostgREST-style) realtime filter `column=operator.value` (`status=eq.done`,
 * `score=gt.5`, `tag=in.(a,b)`, `deleted=is.null`, `email=ilike.*@x.org`, `meta->a->>b=eq.1`) into
 * the same AST as {@link parseFilter}. Empty or blank text matches everything.
 */
export function parseFluxbaseFilter(text: string, options: FluxbaseFilterOptions = {}): FilterAst {
  const limits = resolveLimits(options.limits);
  if (text.length > limits.maxLength) {
    throw new FilterError(`filter longer than ${limits.maxLength} characters`, limits.maxLength);
  }
  if (text.trim() === "") return { type: "const", value: true, pos: 0 };
  return new FluxbaseReader(limits, options.schema).read(text);
}
