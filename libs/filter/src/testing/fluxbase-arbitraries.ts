/** Generators of Fluxbase filter text (`column=operator.value`) over TEST_SCHEMA. */
import fc from "fast-check";
import { dateValue, numberValue, stringValue } from "./arbitraries.ts";

const COLUMNS = [
  "title",
  "body",
  "score",
  "active",
  "published",
  "created",
  "id",
  "owner",
  "tags",
  "meta",
  "meta->a",
  "meta->>a",
  "meta->a->>b",
  "meta->>0",
];

const OPERATORS = ["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "is", "in"];

// Values are free text: `,`, `(` and `*` matter to in and like; empty values are malformed.
const value = fc
  .oneof(
    stringValue,
    dateValue,
    numberValue.map(String),
    fc.constantFrom("true", "false", "null", "*", "a*", "*%*", "5*", "(", ")"),
  )
  .filter((text) => text !== "");

const list = fc
  .array(value, { maxLength: 4 })
  .chain((items) => fc.constantFrom(`(${items.join(",")})`, items.join(",")));

/** One Fluxbase filter: a column, an operator and a value fitting the operator. */
export const fluxbaseFilter: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...COLUMNS), fc.constantFrom(...OPERATORS))
  .chain(([column, op]) =>
    (op === "in"
      ? list
      : op === "is"
        ? fc.constantFrom("null", "true", "false", "NULL", "x")
        : value
    ).map((text) => `${column}=${op}.${text}`),
  );
