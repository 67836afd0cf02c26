import type { Operator } from "./ast.ts";
import { bindValues } from "./bind.ts";
import type { CheckedComparison, CheckedFilter, CheckedNode } from "./checked.ts";
import type { AuthRecord, RequestContext, RequestData } from "./schema.ts";
import { isNegative, itemsOf, transform } from "./semantics.ts";
import { type Bind, constSql, notSql, testSql } from "./sql-comparison.ts";
import {
  dataJsonbSql,
  itemsJsonbSql,
  lowerJsonbSql,
  recordSide,
  type SqlSide,
} from "./sql-side.ts";

/** What {@link toSql} needs besides the filter. */
export interface SqlContext {
  /** Alias of the `records` table in the query (an identifier). */
  alias: string;
  /** Binds a value as a query parameter and returns its placeholder, e.g. `$3`. */
  param: (value: unknown) => string;
  auth: AuthRecord;
  now: Date;
  context: RequestContext;
  /** The write request, for create, update and delete rules (which cannot be judged without it). */
  request?: RequestData;
}

const POSITIVE: Readonly<Record<string, Operator>> = { "!=": "=", "!~": "~" };

class SqlWriter {
  private elements = 0;

  constructor(
    private readonly alias: string,
    private readonly bind: Bind,
  ) {}

  node(node: CheckedNode): string {
    switch (node.kind) {
      case "const":
        return constSql(node.value);
      case "and":
      case "or": {
        const parts = node.items.map((item) => this.node(item));
        return `(${parts.join(node.kind === "and" ? " AND " : " OR ")})`;
      }
      case "cmp":
        return this.comparison(node);
    }
  }

  private side(cmp: CheckedComparison, which: "left" | "right"): SqlSide {
    const operand = cmp[which];
    if (operand.ref.kind === "literal")
      return { k: "value", value: transform(operand, operand.ref.value) };
    return recordSide(operand, this.alias);
  }

  private comparison(cmp: CheckedComparison): string {
    const right = this.side(cmp, "right");
    const isColumn = cmp.left.ref.kind === "column";
    if (cmp.quant === "one" || isColumn)
      return testSql(cmp, this.side(cmp, "left"), right, this.bind);
    // any-of / all-of: compare each item of the left side, as rows of jsonb_array_elements.
    let items: string;
    let element: string;
    const name = `"${this.alias}_e${this.elements++}"`;
    if (cmp.left.ref.kind === "literal") {
      const values = itemsOf(cmp.left.ref.value).map((item) => transform(cmp.left, item));
      items = `${this.bind(JSON.stringify(values))}::jsonb`;
      element = `${name}."v"`;
    } else {
      const ref = cmp.left.ref;
      if (ref.kind !== "data") throw new TypeError(`not a record operand: ${ref.kind}`);
      items = itemsJsonbSql(dataJsonbSql(this.alias, ref.field, ref.path));
      element = cmp.left.modifier === "lower" ? lowerJsonbSql(`${name}."v"`) : `${name}."v"`;
    }
    const from = `FROM jsonb_array_elements(${items}) AS ${name}("v")`;
    const test = (op: Operator) =>
      testSql({ ...cmp, op }, { k: "jsonb", sql: element }, right, this.bind);
    if (cmp.quant === "any") return `EXISTS (SELECT 1 ${from} WHERE ${test(cmp.op)})`;
    if (isNegative(cmp.op)) {
      return notSql(`EXISTS (SELECT 1 ${from} WHERE ${test(POSITIVE[cmp.op] as Operator)})`);
    }
    return `(jsonb_array_length(${items}) > 0 AND NOT EXISTS (SELECT 1 ${from} WHERE (${test(cmp.op)}) IS NOT TRUE))`;
  }
}

/**
 * Translates a checked filter into a boolean SQL expression over the `records` table (columns
 * `id`, `created`, `updated`, `data`) with the same meaning as {@link compile}. Every value,
 * including `@request.auth.*` and the request's, is bound through `ctx.param`; only field names
 * and fixed SQL are written into the text.
 */
export function toSql(checked: CheckedFilter, ctx: SqlContext): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(ctx.alias)) {
    throw new TypeError(`invalid table alias ${JSON.stringify(ctx.alias)}`);
  }
  const bound = bindValues(checked.root, {
    auth: ctx.auth,
    context: ctx.context,
    nowMs: ctx.now.getTime(),
    ...(ctx.request && { request: ctx.request }),
  });
  return new SqlWriter(ctx.alias, (value) => ctx.param(value)).node(bound);
}
