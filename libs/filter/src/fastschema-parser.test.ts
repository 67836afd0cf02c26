import { describe, expect, it } from "vitest";
import { FilterError } from "./errors.ts";
import { parseFastSchemaFilter } from "./fastschema-parser.ts";

function error(input: unknown): FilterError {
  try {
    parseFastSchemaFilter(input);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(input)}`);
}

describe("parseFastSchemaFilter", () => {
  it("reads a plain value as equality", () => {
    expect(parseFastSchemaFilter('{"status":"published"}')).toMatchObject({
      type: "cmp",
      op: "=",
      left: { type: "field", path: ["status"] },
      right: { type: "literal", value: "published" },
    });
  });

  it("maps every operator onto the shared AST", () => {
    const cases: Record<string, object> = {
      $eq: { op: "=" },
      $neq: { op: "!=" },
      $gt: { op: ">" },
      $gte: { op: ">=" },
      $lt: { op: "<" },
      $lte: { op: "<=" },
      $like: { op: "~", like: "pattern", fold: false },
      $notlike: { op: "!~", like: "pattern", fold: false },
      $contains: { op: "~", like: "contains", fold: false },
      $notcontains: { op: "!~", like: "contains", fold: false },
      $containsfold: { op: "~", like: "contains", fold: true },
      $notcontainsfold: { op: "!~", like: "contains", fold: true },
    };
    for (const [operator, expected] of Object.entries(cases)) {
      expect(parseFastSchemaFilter({ name: { [operator]: "x" } })).toMatchObject(expected);
    }
  });

  it("turns $in into an OR of equalities and $nin into an AND of inequalities", () => {
    expect(parseFastSchemaFilter({ age: { $in: [1, 2] } })).toMatchObject({
      type: "or",
      items: [
        { op: "=", right: { value: 1 } },
        { op: "=", right: { value: 2 } },
      ],
    });
    expect(parseFastSchemaFilter({ age: { $nin: [1, 2] } })).toMatchObject({ type: "and" });
    expect(parseFastSchemaFilter({ age: { $in: [] } })).toMatchObject({
      type: "const",
      value: false,
    });
    expect(parseFastSchemaFilter({ age: { $nin: [] } })).toMatchObject({
      type: "const",
      value: true,
    });
  });

  it("reads $null as a comparison with null", () => {
    expect(parseFastSchemaFilter({ a: { $null: true } })).toMatchObject({
      op: "=",
      right: { value: null },
    });
    expect(parseFastSchemaFilter({ a: { $null: false } })).toMatchObject({
      op: "!=",
      right: { value: null },
    });
  });

  it("joins fields and operators with AND and reads $and/$or groups", () => {
    expect(parseFastSchemaFilter({ a: 1, b: { $gt: 1, $lt: 5 } })).toMatchObject({
      type: "and",
      items: [{ op: "=" }, { type: "and", items: [{ op: ">" }, { op: "<" }] }],
    });
    expect(
      parseFastSchemaFilter({ $or: [{ a: 1 }, { $and: [{ b: 2 }, { c: 3 }] }] }),
    ).toMatchObject({
      type: "or",
      items: [{ op: "=" }, { type: "and" }],
    });
  });

  it("reads dotted keys as json paths and empty input as match-all", () => {
    expect(parseFastSchemaFilter({ "meta.author.name": "x" })).toMatchObject({
      left: { path: ["meta", "author", "name"] },
    });
    expect(parseFastSchemaFilter("")).toMatchObject({ type: "const", value: true });
    expect(parseFastSchemaFilter({})).toMatchObject({ type: "const", value: true });
  });

  it("gives the same AST for JSON text and the parsed object", () => {
    const filter = { $or: [{ a: { $like: "x%" } }, { b: [1, { c: null }] }] };
    const strip = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value, (k, v) => (k === "pos" ? undefined : v)));
    expect(strip(parseFastSchemaFilter(JSON.stringify(filter)))).toEqual(
      strip(parseFastSchemaFilter(filter)),
    );
  });

  it("keeps a __proto__ key as data instead of changing the prototype", () => {
    const node = parseFastSchemaFilter('{"meta":{"$eq":{"__proto__":{"x":1}}}}');
    const value = node.type === "cmp" && node.right.type === "literal" ? node.right.value : null;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(["__proto__"]);
  });

  it("points errors at the offending part of the JSON text", () => {
    expect(error('{"a": {"$regex": 1}}').message).toBe('unknown operator "$regex" at 7');
    expect(error('{"a": {"$in": 1}}').message).toBe("$in needs an array at 14");
    expect(error('{"a": {"$like": 1}}').message).toBe("$like needs a string at 16");
    expect(error('{"a": {"$null": "yes"}}').message).toBe("$null needs true or false at 16");
    expect(error('{"$or": []}').message).toBe("$or needs a non-empty array of filters at 8");
    expect(error('{"a": {}}').message).toBe("no operator given at 6");
    expect(error('{"a": 1, "a": 2}').message).toBe('duplicate key "a" at 9');
    expect(error('{"a": 1,}').message).toBe("expected a quoted key at 8");
    expect(error("[1]").message).toBe("a filter must be a JSON object at 0");
    expect(error('{"a": 01}').message).toBe("invalid number at 6");
    expect(error('{"a": "\\ud800"}').message).toBe("unpaired surrogate in string at 6");
    expect(error('{"a": 1} x').message).toBe("unexpected text after the JSON value at 9");
  });

  it("rejects values that are not JSON and input past the limits", () => {
    expect(error({ a: undefined }).message).toBe("the filter is not a JSON value at 0");
    expect(error({ a: Number.NaN }).message).toBe("number out of range at 0");
    expect(error(`{"a":${"[".repeat(40)}${"]".repeat(40)}}`).message).toMatch(
      /^nesting deeper than 32/,
    );
    expect(error({ a: { $in: Array.from({ length: 101 }, (_, i) => i) } }).message).toMatch(
      /^more than 100 conditions/,
    );
    expect(error(`{"a":"${"x".repeat(5000)}"}`).message).toBe(
      "filter longer than 4096 characters at 4096",
    );
  });
});
