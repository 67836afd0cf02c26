import { FilterError, quote } from "./errors.ts";
import { MAX_SORT_TERMS } from "./limits.ts";
import {
  type CollectionSchema,
  findField,
  isFieldName,
  isSystemColumn,
  type RecordData,
} from "./schema.ts";
import { dataJsonbSql } from "./sql-side.ts";
import { arrayIndex, compareCodePoints, readPath } from "./values.ts";

/** One key of a sort list: `-created` is `{field: "created", path: [], desc: true}`. */
export interface SortTerm {
  field: string;
  /** Path inside a json field. */
  path: string[];
  desc: boolean;
}

/** Options of {@link parseSort}. */
export interface SortOptions {
  /** Whether hidden fields may be sorted by (sorting reveals their order). */
  allowHidden: boolean;
}

const MAX_SORT_LENGTH = 1024;

function sortError(reason: string, pos: number): FilterError {
  return new FilterError(reason, pos, "INVALID_SORT");
}

/**
 * Parses a PocketBase sort list: `-created,title` (`-` descending, `+` or nothing ascending), at
 * most {@link MAX_SORT_TERMS} terms, json fields sortable by path (`meta.rank`). Throws
 * {@link FilterError} with code `INVALID_SORT` (unknown, hidden and multiple fields included).
 */
export function parseSort(
  text: string,
  schema: CollectionSchema,
  options: SortOptions,
): SortTerm[] {
  if (text.length > MAX_SORT_LENGTH) {
    throw sortError(`sort longer than ${MAX_SORT_LENGTH} characters`, MAX_SORT_LENGTH);
  }
  if (text.trim() === "") return [];
  const terms: SortTerm[] = [];
  let offset = 0;
  for (const raw of text.split(",")) {
    const lead = raw.length - raw.trimStart().length;
    const pos = offset + lead;
    offset += raw.length + 1;
    let term = raw.trim();
    if (term === "") throw sortError("empty sort term", pos);
    if (terms.length === MAX_SORT_TERMS)
      throw sortError(`more than ${MAX_SORT_TERMS} sort terms`, pos);
    const desc = term.startsWith("-");
    if (desc || term.startsWith("+")) term = term.slice(1);
    const [name = "", ...path] = term.split(".");
    const field = isFieldName(name) ? findField(schema, name, options.allowHidden) : undefined;
    if (field === undefined) throw sortError(`unknown field ${quote(name)}`, pos);
    if (field.type === "relation" && field.multiple === true) {
      throw sortError(`cannot sort by the multiple field ${quote(name)}`, pos);
    }
    if (path.length > 0 && field.type !== "json") {
      throw sortError(`${quote(name)} is not a json field`, pos);
    }
    for (const segment of path) {
      if (!isFieldName(segment) && arrayIndex(segment) < 0) {
        throw sortError(`invalid path segment ${quote(segment)}`, pos);
      }
    }
    terms.push({ field: name, path, desc });
  }
  return terms;
}

function hasIdTerm(terms: readonly SortTerm[]): boolean {
  return terms.some((term) => term.field === "id");
}

/**
 * An ORDER BY list (without the keywords) for the terms, ending with `id` so the order is total.
 * Values are ordered by type first (missing/null, booleans, numbers, strings, arrays and
 * objects), then numbers numerically, strings by code point, false before true. Ascending puts
 * missing and null first, descending last.
 */
export function sortToSql(terms: readonly SortTerm[], alias: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) {
    throw new TypeError(`invalid table alias ${JSON.stringify(alias)}`);
  }
  const keys: string[] = [];
  for (const term of terms) {
    const dir = term.desc ? "DESC" : "ASC";
    if (isSystemColumn(term.field)) {
      const column = `"${alias}"."${term.field}"`;
      keys.push(term.field === "id" ? `${column} COLLATE "C" ${dir}` : `${column} ${dir}`);
      continue;
    }
    const x = dataJsonbSql(alias, term.field, term.path);
    const typed = (type: string, value: string) =>
      `(CASE WHEN jsonb_typeof(${x}) = '${type}' THEN ${value} END)`;
    keys.push(
      `(CASE jsonb_typeof(${x}) WHEN 'boolean' THEN 1 WHEN 'number' THEN 2 WHEN 'string' THEN 3 WHEN 'array' THEN 4 WHEN 'object' THEN 4 ELSE 0 END) ${dir}`,
      `${typed("boolean", `(${x})::boolean`)} ${dir}`,
      `${typed("number", `(${x})::numeric`)} ${dir}`,
      `${typed("string", `(${x} #>> '{}')`)} COLLATE "C" ${dir}`,
    );
  }
  if (!hasIdTerm(terms)) keys.push(`"${alias}"."id" COLLATE "C" ASC`);
  return keys.join(", ");
}

function rank(value: unknown): number {
  switch (typeof value) {
    case "boolean":
      return 1;
    case "number":
      return 2;
    case "string":
      return 3;
    case "object":
      return value === null ? 0 : 4;
    default:
      return 0;
  }
}

/** Orders two values as {@link sortToSql} does (ascending). */
export function compareForSort(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "string") return Math.sign(compareCodePoints(a, b as string));
  if (typeof a === "number" || typeof a === "boolean") {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return 0;
}

/** An in-memory comparator giving the same order as {@link sortToSql}. */
export function compileSort(terms: readonly SortTerm[]): (a: RecordData, b: RecordData) => number {
  const readers = terms.map((term) => {
    const path = [term.field, ...term.path];
    return { read: (record: RecordData) => readPath(record, path), sign: term.desc ? -1 : 1 };
  });
  const byId = !hasIdTerm(terms);
  return (a, b) => {
    for (const { read, sign } of readers) {
      const order = compareForSort(read(a), read(b));
      if (order !== 0) return sign * order;
    }
    return byId ? Math.sign(compareCodePoints(String(a.id), String(b.id))) : 0;
  };
}
