import type { CheckedOperand } from "./checked.ts";
import { parseDate } from "./dates.ts";

/**
 * One side of a comparison in SQL: a value known now (bound as a parameter when used), a jsonb
 * expression (SQL NULL when the field is missing), or a typed system column.
 */
export type SqlSide =
  | { k: "value"; value: unknown }
  | { k: "jsonb"; sql: string }
  | { k: "text"; sql: string }
  | { k: "ts"; sql: string }
  | { k: "int"; sql: string };

const UPPER = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
const LOWER = "'abcdefghijklmnopqrstuvwxyz'";

/** ASCII-only lowercasing, identical under every database collation (unlike `lower()`). */
export function foldSql(text: string): string {
  return `translate(${text}, ${UPPER}, ${LOWER})`;
}

/** A timestamptz column as the canonical date string records hold in memory. */
export function canonicalTextSql(ts: string): string {
  return `to_char(${ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** True for `null`, a missing field or `""` in jsonb. */
export function emptyJsonbSql(jsonb: string): string {
  return `COALESCE(${jsonb} IN ('null'::jsonb, '""'::jsonb), TRUE)`;
}

/** `:lower` on a jsonb value: strings lowercased, anything else unchanged. */
export function lowerJsonbSql(jsonb: string): string {
  return `(CASE WHEN jsonb_typeof(${jsonb}) = 'string' THEN to_jsonb(${foldSql(`(${jsonb} #>> '{}')`)}) ELSE ${jsonb} END)`;
}

/** `:length` on a jsonb value: array length, else 0. */
export function lengthJsonbSql(jsonb: string): string {
  return `(CASE WHEN jsonb_typeof(${jsonb}) = 'array' THEN jsonb_array_length(${jsonb}) ELSE 0 END)`;
}

/** The items an any-of/all-of visits, as a jsonb array: elements, none when empty, else itself. */
export function itemsJsonbSql(jsonb: string): string {
  return `(CASE WHEN jsonb_typeof(${jsonb}) = 'array' THEN ${jsonb} WHEN ${jsonb} IS NULL OR ${jsonb} = 'null'::jsonb THEN '[]'::jsonb ELSE jsonb_build_array(${jsonb}) END)`;
}

/** True when `value` is a canonical date string, the only strings equal to a date column. */
export function isCanonicalDate(value: unknown): value is string {
  return typeof value === "string" && parseDate(value) === value;
}

/** A `data` field or a path inside it; names and segments are validated identifiers/indexes. */
export function dataJsonbSql(alias: string, field: string, path: readonly string[]): string {
  if (path.length === 0) return `"${alias}"."data"->'${field}'`;
  return `("${alias}"."data" #> '{${[field, ...path].join(",")}}')`;
}

/** The SQL for a record operand (a column or a `data` path) with its modifier applied. */
export function recordSide(operand: CheckedOperand, alias: string): SqlSide {
  const ref = operand.ref;
  if (ref.kind === "column") {
    const sql = `"${alias}"."${ref.column}"`;
    if (ref.column !== "id") return { k: "ts", sql };
    return operand.modifier === "lower" ? { k: "text", sql: foldSql(sql) } : { k: "text", sql };
  }
  if (ref.kind !== "data") throw new TypeError(`not a record operand: ${ref.kind}`);
  return modifiedJsonb(dataJsonbSql(alias, ref.field, ref.path), operand.modifier);
}

/** Applies `:lower`/`:length` to a jsonb expression. */
export function modifiedJsonb(jsonb: string, modifier: CheckedOperand["modifier"]): SqlSide {
  if (modifier === "lower") return { k: "jsonb", sql: lowerJsonbSql(jsonb) };
  if (modifier === "length") return { k: "int", sql: lengthJsonbSql(jsonb) };
  return { k: "jsonb", sql: jsonb };
}
