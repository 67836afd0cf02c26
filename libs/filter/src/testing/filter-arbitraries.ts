/** Generators of filter text (PocketBase) and filter objects (FastSchema) over TEST_SCHEMA. */
import fc from "fast-check";
import { dateValue, jsonValue, numberValue, stringValue } from "./arbitraries.ts";

type Kind = "text" | "number" | "bool" | "date" | "json";

const FIELD_REFS: ReadonlyArray<readonly [string, Kind]> = [
  ["title", "text"],
  ["title:lower", "text"],
  ["body", "text"],
  ["score", "number"],
  ["active", "bool"],
  ["published", "date"],
  ["created", "date"],
  ["updated", "date"],
  ["id", "text"],
  ["id:lower", "text"],
  ["meta", "json"],
  ["meta.a", "json"],
  ["meta.a.b", "json"],
  ["meta.0", "json"],
  ["meta.x.0", "json"],
  ["meta:lower", "json"],
  ["meta:length", "number"],
  ["meta.a:length", "number"],
  ["meta:each", "json"],
  ["meta.a:each", "json"],
  ["owner", "text"],
  ["owner:lower", "text"],
  ["tags", "text"],
  ["tags:lower", "text"],
  ["tags:length", "number"],
  ["tags:each", "text"],
];

const REQUEST_REFS = [
  "@request.auth.id",
  "@request.auth.name",
  "@request.auth.name:lower",
  "@request.auth.roles",
  "@request.auth.roles:length",
  "@request.auth.created",
  "@request.auth.score",
  "@request.auth.missing",
  "@request.context",
  "@request.context:lower",
  "@now",
  "@todayStart",
  "@todayEnd",
  "@monthStart",
  "@monthEnd",
  "@yearStart",
  "@yearEnd",
  "@yesterday",
  "@tomorrow",
  "@hour",
  "@day",
  "@weekday",
  "@year",
];

/** What create, update and delete rules read of the request, with the kind of value each gives. */
const WRITE_REFS: ReadonlyArray<readonly [string, Kind]> = [
  ["@request.body.title", "text"],
  ["@request.body.title:lower", "text"],
  ["@request.body.body", "text"],
  ["@request.body.score", "number"],
  ["@request.body.active", "bool"],
  ["@request.body.published", "date"],
  ["@request.body.meta", "json"],
  ["@request.body.meta.a", "json"],
  ["@request.body.meta:lower", "json"],
  ["@request.body.meta:length", "number"],
  ["@request.body.owner", "text"],
  ["@request.body.tags:length", "number"],
  ["@request.body.title:isset", "bool"],
  ["@request.body.tags:isset", "bool"],
  ["@request.query.page", "text"],
  ["@request.query.page:isset", "bool"],
  ["@request.query.q:lower", "text"],
  ["@request.headers.x_token", "text"],
  ["@request.headers.x_token:isset", "bool"],
  ["@request.method", "text"],
  ["@request.method:lower", "text"],
];

/** Multi-valued request operands, which may only stand on the left. */
const WRITE_LEFT_REFS: ReadonlyArray<readonly [string, Kind]> = [
  ["@request.body.tags", "text"],
  ["@request.body.tags:each", "text"],
  ["@request.body.meta:each", "json"],
  ["@request.body.meta.a:each", "json"],
];

const CHANGED_FIELDS = ["title", "body", "score", "active", "published", "meta", "owner", "tags"];

const OPERATORS = ["=", "!=", "<", "<=", ">", ">=", "~", "!~"];

/** A PocketBase string literal that parses back to exactly `value`. */
export function quoteString(value: string, quote: "'" | '"'): string {
  return quote + value.replaceAll("\\", "\\\\").replaceAll(quote, `\\${quote}`) + quote;
}

const stringLiteral = fc
  .tuple(fc.oneof(stringValue, dateValue), fc.constantFrom<"'" | '"'>("'", '"'))
  .map(([value, q]) => quoteString(value, q));

const numberLiteral = numberValue.map((n) => String(n));

function literalFor(kind: Kind): fc.Arbitrary<string> {
  switch (kind) {
    case "number":
      return fc.oneof(
        numberLiteral,
        numberValue.map((n) => `'${n}'`),
      );
    case "bool":
      return fc.constantFrom("true", "false");
    case "date":
      return fc.oneof(
        dateValue.map((d) => `'${d}'`),
        fc.constantFrom("'2024-01-01'", "'2024-02-29 12:00:00Z'"),
      );
    default:
      return stringLiteral;
  }
}

const anyLiteral = fc.oneof(stringLiteral, numberLiteral, fc.constantFrom("true", "false", "null"));

const fieldRef = fc.constantFrom(...FIELD_REFS);

const rightOperand = (kind: Kind, requestRefs: readonly string[]) =>
  fc.oneof(
    { weight: 5, arbitrary: literalFor(kind) },
    { weight: 2, arbitrary: anyLiteral },
    { weight: 3, arbitrary: fc.constantFrom(...requestRefs) },
    {
      weight: 2,
      arbitrary: fieldRef
        .filter(([ref]) => !ref.startsWith("tags") || ref === "tags:length")
        .map(([ref]) => ref),
    },
  );

const operator = fc
  .tuple(fc.boolean(), fc.constantFrom(...OPERATORS))
  .map(([any, op]) => (any ? `?${op}` : op));

/** `left op right` with a left operand of `lefts` and a right one fitting its kind. */
function comparisonOf(
  lefts: ReadonlyArray<readonly [string, Kind]>,
  requestRefs: readonly string[],
): fc.Arbitrary<string> {
  return fc
    .constantFrom(...lefts)
    .chain(([ref, kind]) => fc.tuple(fc.constant(ref), operator, rightOperand(kind, requestRefs)))
    .map(([left, op, right]) => `${left} ${op} ${right}`);
}

/** Comparisons joined by `&&`/`||`, sometimes parenthesised. */
function joined(comparison: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      comparison,
      fc
        .tuple(tie("expr"), fc.constantFrom("&&", "||"), tie("expr"), fc.boolean())
        .map(([a, join, b, parens]) => (parens ? `(${a}) ${join} (${b})` : `${a} ${join} ${b}`)),
    ),
  })).expr;
}

const REQUEST_LEFTS = [...REQUEST_REFS, "'u1'", "5"].map((ref) => [ref, "text"] as const);

/** PocketBase filter text: comparisons joined by `&&`/`||`, sometimes parenthesised. */
export const pocketbaseFilter: fc.Arbitrary<string> = joined(
  fc.oneof(
    { weight: 8, arbitrary: comparisonOf(FIELD_REFS, REQUEST_REFS) },
    { weight: 1, arbitrary: comparisonOf(REQUEST_LEFTS, REQUEST_REFS) },
  ),
);

const WRITE_RIGHTS = [...REQUEST_REFS, ...WRITE_REFS.map(([ref]) => ref)];

/** `@request.body.f:changed = true`, `!= false`, …: the only comparisons `:changed` takes. */
const changedComparison = fc
  .tuple(fc.constantFrom(...CHANGED_FIELDS), fc.constantFrom("=", "!="), fc.boolean())
  .map(([field, op, value]) => `@request.body.${field}:changed ${op} ${value}`);

/**
 * A create, update or delete rule: a PocketBase filter that also reads the request (its body,
 * with `:isset`, `:changed`, `:length`, `:each`; query; headers; method).
 */
export const pocketbaseRule: fc.Arbitrary<string> = joined(
  fc.oneof(
    { weight: 5, arbitrary: comparisonOf(FIELD_REFS, WRITE_RIGHTS) },
    { weight: 3, arbitrary: comparisonOf([...WRITE_REFS, ...WRITE_LEFT_REFS], WRITE_RIGHTS) },
    { weight: 2, arbitrary: changedComparison },
    { weight: 1, arbitrary: comparisonOf(REQUEST_LEFTS, WRITE_RIGHTS) },
  ),
);

const FS_KEYS: ReadonlyArray<readonly [string, fc.Arbitrary<unknown>]> = [
  ["title", stringValue],
  ["body", stringValue],
  ["owner", stringValue],
  ["id", stringValue],
  ["tags", stringValue],
  ["score", numberValue],
  ["active", fc.boolean()],
  ["published", dateValue],
  ["created", dateValue],
  ["updated", dateValue],
  ["meta", jsonValue],
  ["meta.a", jsonValue],
  ["meta.a.b", jsonValue],
];
const FS_OPS = [
  "$eq",
  "$neq",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$like",
  "$notlike",
  "$contains",
  "$notcontains",
  "$containsfold",
  "$notcontainsfold",
];

const anyScalar = fc.oneof(
  stringValue,
  dateValue,
  numberValue,
  fc.boolean(),
  fc.constant(null),
  jsonValue,
);

/** A condition on one field: mostly values of the field's type, sometimes anything. */
function fsCondition(typed: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const value = fc.oneof({ weight: 4, arbitrary: typed }, { weight: 1, arbitrary: anyScalar });
  return fc.oneof(
    value,
    fc.dictionary(fc.constantFrom(...FS_OPS), value, { minKeys: 1, maxKeys: 2 }),
    fc.record({ $in: fc.array(value, { maxLength: 3 }) }),
    fc.record({ $nin: fc.array(value, { maxLength: 3 }) }),
    fc.record({ $null: fc.boolean() }),
  );
}

const fsField = fc
  .constantFrom(...FS_KEYS)
  .chain(([key, typed]) => fsCondition(typed).map((condition) => ({ [key]: condition })));

/** A FastSchema filter object: field conditions, `$and`/`$or` groups. */
export const fastschemaFilter: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{
  obj: Record<string, unknown>;
}>((tie) => ({
  obj: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.array(fsField, { minLength: 1, maxLength: 2 }).map((parts) => Object.assign({}, ...parts)),
    fc.record({ $or: fc.array(tie("obj"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ $and: fc.array(tie("obj"), { minLength: 1, maxLength: 3 }) }),
  ),
})).obj;
