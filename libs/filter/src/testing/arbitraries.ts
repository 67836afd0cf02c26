/** fast-check generators shared by the differential, fuzz and index property tests. */
import fc from "fast-check";
import { canonicalDate } from "../dates.ts";
import type { AuthRecord, CollectionSchema, JsonValue, RequestData } from "../schema.ts";

/** The schema every generated record and filter uses. */
export const TEST_SCHEMA: CollectionSchema = {
  fields: [
    { name: "title", type: "text" },
    { name: "body", type: "text", hidden: true },
    { name: "score", type: "number" },
    { name: "active", type: "bool" },
    { name: "published", type: "date" },
    { name: "meta", type: "json" },
    { name: "owner", type: "relation" },
    { name: "tags", type: "relation", multiple: true },
  ],
};

/** Strings chosen to find disagreements: case, wildcards, escapes, non-ASCII case, astral. */
export const TRICKY_STRINGS = [
  "",
  "a",
  "A",
  "abc",
  "ABC",
  "Abc",
  "a%b",
  "a_b",
  "a\\b",
  "%",
  "_",
  "\\",
  "50%",
  "x y",
  "É",
  "é",
  "ß",
  "İ",
  "ǅ",
  "Straße",
  "😀",
  "𝔸",
  "\uE000",
  "\uFFFD",
  "u1",
  "U1",
  "u2",
  "5",
  "-1.5",
  "true",
  "null",
  "2024-01-01",
  "2024-02-29T12:00:00.000Z",
];

const DATE_MS = [
  Date.UTC(1970, 0, 1),
  Date.UTC(2024, 0, 1),
  Date.UTC(2024, 1, 29, 12),
  Date.UTC(2024, 1, 29, 23, 59, 59, 999),
  Date.UTC(2025, 5, 15, 8, 30, 0, 123),
  Date.UTC(2099, 11, 31),
];

/** Numbers where PostgreSQL numeric and JavaScript doubles could plausibly part ways. */
export const TRICKY_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  0.5,
  1.5,
  -1.5,
  5,
  42,
  100,
  1e21,
  -1e21,
  5e-324,
  1e308,
  2 ** 53,
  2 ** 53 + 2,
  0.30000000000000004,
];

const storableString = fc
  .string({ unit: "binary", maxLength: 6 })
  .map((s) => s.replaceAll("\u0000", ""));

/** A string that PostgreSQL can store. */
export const stringValue = fc.oneof(fc.constantFrom(...TRICKY_STRINGS), storableString);

/** A canonical date string. */
export const dateValue = fc.oneof(
  fc.constantFrom(...DATE_MS.map(canonicalDate)),
  fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }).map(canonicalDate),
);

/** A finite number. */
export const numberValue = fc.oneof(
  fc.constantFrom(...TRICKY_NUMBERS),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const scalar: fc.Arbitrary<JsonValue> = fc.oneof(
  stringValue,
  numberValue,
  fc.boolean(),
  fc.constant(null),
  dateValue,
);

/** Any JSON value, a few levels deep, with keys that filters name. */
export const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "0", "x"), tie("value"), { maxKeys: 3 }),
  ),
})).value;

const ID_POOL = ["u1", "u2", "U1", "é", "😀", "a_b", "%"];

/** Field values: mostly well-typed, sometimes null, missing or (rarely) of the wrong type. */
function field<T>(typed: fc.Arbitrary<T>) {
  return fc.oneof(
    { weight: 6, arbitrary: typed },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: scalar },
  );
}

const fieldValues = {
  title: field(stringValue),
  body: field(stringValue),
  score: field(numberValue),
  active: field(fc.boolean()),
  published: field(dateValue),
  meta: field(jsonValue),
  owner: field(fc.constantFrom(...ID_POOL, "")),
  tags: field(fc.array(fc.constantFrom(...ID_POOL), { maxLength: 3 })),
};

const recordBody = fc.record({ created: dateValue, updated: dateValue, ...fieldValues });

/** A set of records with distinct ids; missing fields are left out of the object. */
export const recordsArb = fc.array(recordBody, { minLength: 1, maxLength: 40 }).map((bodies) =>
  bodies.map((body, i) => {
    const record: Record<string, unknown> = { id: `${ID_POOL[i % ID_POOL.length]}${i}` };
    for (const [key, value] of Object.entries(body)) if (value !== undefined) record[key] = value;
    return record;
  }),
);

/** Anonymous, or a user whose fields filters read. */
export const authArb: fc.Arbitrary<AuthRecord> = fc.oneof(
  fc.constant(null),
  fc.record(
    {
      id: fc.constantFrom(...ID_POOL, ""),
      name: stringValue,
      roles: fc.array(fc.constantFrom("admin", "u1", "x", "A"), { maxLength: 3 }),
      created: fc.oneof(dateValue, fc.constant("2024-01-01")),
      score: numberValue,
    },
    { requiredKeys: ["id"] },
  ),
);

/** The clock for macros. */
export const nowArb = fc.constantFrom(...DATE_MS).map((ms) => new Date(ms + 3_600_000));

/**
 * A write request: some fields submitted (mostly well-typed, as validation leaves them; sometimes
 * null), a query parameter, a header and a method.
 */
export const requestArb: fc.Arbitrary<RequestData> = fc.record({
  method: fc.constantFrom("POST", "PATCH", "DELETE"),
  body: fc
    .record(fieldValues, { requiredKeys: [] })
    .map((body) => Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))),
  query: fc.record({ page: stringValue, q: stringValue }, { requiredKeys: [] }),
  headers: fc.record({ x_token: stringValue }, { requiredKeys: [] }),
});
