import type { Operator } from "./ast.ts";
import type { CheckedComparison } from "./checked.ts";
import { compileLike } from "./like-pattern.ts";
import { type LikeSpec, testValues } from "./semantics.ts";
import {
  canonicalTextSql,
  emptyJsonbSql,
  foldSql,
  isCanonicalDate,
  type SqlSide,
} from "./sql-side.ts";
import { asciiLower, isEmpty } from "./values.ts";

/** Binds a value and returns its placeholder (`$n`). */
export type Bind = (value: string) => string;

const FLIPPED: Readonly<Record<string, Operator>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

/** SQL for a boolean that is already known. */
export function constSql(value: boolean): string {
  return value ? "TRUE" : "FALSE";
}

/** Negation that treats SQL NULL (unknown) as false before negating. */
export function notSql(sql: string): string {
  if (sql === "TRUE") return "FALSE";
  if (sql === "FALSE") return "TRUE";
  return `NOT COALESCE(${sql}, FALSE)`;
}

function asJsonb(side: SqlSide, bind: Bind): string {
  switch (side.k) {
    case "value":
      return `${bind(JSON.stringify(side.value ?? null))}::jsonb`;
    case "jsonb":
      return side.sql;
    case "ts":
      return `to_jsonb(${canonicalTextSql(side.sql)})`;
    default:
      return `to_jsonb(${side.sql})`;
  }
}

function equalSql(a: SqlSide, b: SqlSide, bind: Bind): string {
  if (a.k === "value" && b.k === "value") return constSql(testValues("=", null, a.value, b.value));
  if (a.k === "value") return equalSql(b, a, bind);
  if (b.k === "value") {
    const v = b.value;
    if (isEmpty(v)) {
      if (a.k === "jsonb") return emptyJsonbSql(a.sql);
      return a.k === "text" ? `(${a.sql} = '')` : "FALSE";
    }
    switch (a.k) {
      case "jsonb":
        return `${a.sql} = ${bind(JSON.stringify(v))}::jsonb`;
      case "text":
        return typeof v === "string" ? `${a.sql} = ${bind(v)}::text` : "FALSE";
      case "ts":
        return isCanonicalDate(v) ? `${a.sql} = ${bind(v)}::timestamptz` : "FALSE";
      case "int":
        return typeof v === "number" ? `${a.sql} = ${bind(String(v))}::numeric` : "FALSE";
    }
  }
  if (a.k === b.k && a.k !== "jsonb") return `${a.sql} = ${b.sql}`;
  const x = asJsonb(a, bind);
  const y = asJsonb(b, bind);
  return `((${emptyJsonbSql(x)} AND ${emptyJsonbSql(y)}) OR ${x} = ${y})`;
}

function orderSql(op: Operator, a: SqlSide, b: SqlSide, bind: Bind): string {
  if (a.k === "value" && b.k === "value") {
    return constSql(testValues(op, null, a.value, b.value));
  }
  if (a.k === "value") return orderSql(FLIPPED[op] as Operator, b, a, bind);
  if (b.k === "value") {
    const v = b.value;
    // Bind only inside the SQL actually returned: an unused parameter has no inferable type.
    if (typeof v === "number") {
      if (a.k === "jsonb") {
        return `(CASE WHEN jsonb_typeof(${a.sql}) = 'number' THEN (${a.sql})::numeric ${op} ${bind(String(v))}::numeric END)`;
      }
      return a.k === "int" ? `${a.sql} ${op} ${bind(String(v))}::numeric` : "FALSE";
    }
    if (typeof v === "string") {
      switch (a.k) {
        case "jsonb":
          return `(CASE WHEN jsonb_typeof(${a.sql}) = 'string' THEN (${a.sql} #>> '{}') COLLATE "C" ${op} ${bind(v)}::text END)`;
        case "text":
          return `${a.sql} COLLATE "C" ${op} ${bind(v)}::text`;
        case "ts":
          return isCanonicalDate(v)
            ? `${a.sql} ${op} ${bind(v)}::timestamptz`
            : `${canonicalTextSql(a.sql)} COLLATE "C" ${op} ${bind(v)}::text`;
        case "int":
          return "FALSE";
      }
    }
    if (typeof v === "boolean" && a.k === "jsonb") {
      return `(CASE WHEN jsonb_typeof(${a.sql}) = 'boolean' THEN (${a.sql})::boolean ${op} ${bind(String(v))}::boolean END)`;
    }
    return "FALSE";
  }
  if (a.k === b.k && a.k !== "jsonb") {
    return a.k === "text" ? `${a.sql} COLLATE "C" ${op} ${b.sql}` : `${a.sql} ${op} ${b.sql}`;
  }
  const x = asJsonb(a, bind);
  const y = asJsonb(b, bind);
  const both = (type: string) =>
    `jsonb_typeof(${x}) = '${type}' AND jsonb_typeof(${y}) = '${type}'`;
  return (
    `(CASE WHEN ${both("number")} THEN (${x})::numeric ${op} (${y})::numeric` +
    ` WHEN ${both("string")} THEN (${x} #>> '{}') COLLATE "C" ${op} (${y} #>> '{}')` +
    ` WHEN ${both("boolean")} THEN (${x})::boolean ${op} (${y})::boolean END)`
  );
}

/** False when the side can never hold a string (so `~` is false without asking the database). */
function canBeText(side: SqlSide): boolean {
  return side.k === "value" ? typeof side.value === "string" : side.k !== "int";
}

/** A side as SQL text plus the guards that make it a string; the side must {@link canBeText}. */
function textOf(side: SqlSide, fold: boolean, bind: Bind): { guard: string[]; sql: string } {
  switch (side.k) {
    case "value": {
      const value = side.value as string;
      return { guard: [], sql: `${bind(fold ? asciiLower(value) : value)}::text` };
    }
    case "jsonb": {
      const text = `(${side.sql} #>> '{}')`;
      return { guard: [`jsonb_typeof(${side.sql}) = 'string'`], sql: fold ? foldSql(text) : text };
    }
    case "ts": {
      const text = canonicalTextSql(side.sql);
      return { guard: [], sql: fold ? foldSql(text) : text };
    }
    default:
      return { guard: [], sql: fold ? foldSql(side.sql) : side.sql };
  }
}

function likeSql(spec: LikeSpec, a: SqlSide, b: SqlSide, bind: Bind): string {
  const like = spec ?? { syntax: "auto", fold: true };
  if (a.k === "value" && b.k === "value") return constSql(testValues("~", like, a.value, b.value));
  if (!canBeText(a) || !canBeText(b)) return "FALSE";
  const subject = textOf(a, like.fold, bind);
  const guard = [...subject.guard];
  let pattern: string;
  if (b.k === "value") {
    pattern = `${bind(compileLike(b.value as string, like.syntax, like.fold).sql)}::text`;
  } else {
    // A pattern read from the record is matched as a plain substring, so escape its wildcards.
    const text = textOf(b, like.fold, bind);
    guard.push(...text.guard);
    const escaped = `replace(replace(replace(${text.sql}, E'\\\\', E'\\\\\\\\'), '%', E'\\\\%'), '_', E'\\\\_')`;
    pattern = `('%' || ${escaped} || '%')`;
  }
  const match = `${subject.sql} COLLATE "C" LIKE ${pattern} ESCAPE E'\\\\'`;
  return guard.length === 0 ? match : `(${[...guard, match].join(" AND ")})`;
}

/** SQL for `a op b` on final values (modifiers already applied). */
export function testSql(cmp: CheckedComparison, a: SqlSide, b: SqlSide, bind: Bind): string {
  switch (cmp.op) {
    case "=":
      return equalSql(a, b, bind);
    case "!=":
      return notSql(equalSql(a, b, bind));
    case "~":
      return likeSql(cmp.like, a, b, bind);
    case "!~":
      return notSql(likeSql(cmp.like, a, b, bind));
    default:
      return orderSql(cmp.op, a, b, bind);
  }
}
