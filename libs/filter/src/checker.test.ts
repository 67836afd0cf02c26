import { describe, expect, it } from "vitest";
import type { CheckedComparison } from "./checked.ts";
import { checkFilter } from "./checker.ts";
import { FilterError } from "./errors.ts";
import { parseFastSchemaFilter } from "./fastschema-parser.ts";
import { parseFilter } from "./parser.ts";
import type { CollectionSchema } from "./schema.ts";

const schema: CollectionSchema = {
  fields: [
    { name: "title", type: "text" },
    { name: "secret", type: "text", hidden: true },
    { name: "score", type: "number" },
    { name: "active", type: "bool" },
    { name: "published", type: "date" },
    { name: "meta", type: "json" },
    { name: "owner", type: "relation" },
    { name: "tags", type: "relation", multiple: true },
  ],
};

function check(text: string, allowHidden = false): CheckedComparison {
  const root = checkFilter(parseFilter(text), schema, { allowHidden }).root;
  if (root.kind !== "cmp") throw new Error(`not a comparison: ${root.kind}`);
  return root;
}

function error(text: string, allowHidden = false, request: "read" | "write" = "read"): string {
  try {
    checkFilter(parseFilter(text), schema, { allowHidden, request });
  } catch (e) {
    if (e instanceof FilterError) return e.message;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

describe("checkFilter", () => {
  it("resolves system columns, data fields and json paths", () => {
    expect(check("id = 'a'").left.ref).toEqual({ kind: "column", column: "id" });
    expect(check("created > '2024-01-01'").left.ref).toEqual({ kind: "column", column: "created" });
    expect(check("meta.a.0 = 1").left.ref).toEqual({
      kind: "data",
      field: "meta",
      path: ["a", "0"],
    });
  });

  it("rejects unknown fields, and hidden ones with the same message unless allowed", () => {
    expect(error("nope = 1")).toBe('unknown field "nope" at 0');
    expect(error("title = 'a' && secret = 'x'")).toBe('unknown field "secret" at 15');
    expect(check("secret = 'x'", true).left.ref).toMatchObject({ field: "secret" });
    expect(() =>
      checkFilter(parseFastSchemaFilter({ secret: "x" }), schema, { allowHidden: false }),
    ).toThrow('unknown field "secret"');
  });

  it("rejects json paths and modifiers where they do not apply", () => {
    expect(error("title.x = 1")).toBe('"title" is not a json field at 0');
    expect(error("id.x = 1")).toBe('"id" has no sub-fields at 0');
    expect(error("meta.01 = 1")).toBe('invalid path segment "01" at 0');
    expect(error("title:length > 1")).toBe(":length applies to multiple and json fields at 0");
    expect(error("owner:each = 'a'")).toBe(":each applies to multiple and json fields at 0");
    expect(error("score:lower = 1")).toBe(":lower applies to text, not number at 0");
    expect(check("tags:length > 1").left).toMatchObject({ modifier: "length", type: "number" });
    expect(check("meta:length > 1").left).toMatchObject({ modifier: "length" });
  });

  it("rejects comparisons of incompatible types", () => {
    expect(error("score = 'abc'")).toBe('"abc" is not a number at 8');
    expect(error("published > 'soon'")).toBe('"soon" is not a date at 12');
    expect(error("title = 5")).toBe("cannot compare text with number at 6");
    expect(error("active = 'true'")).toBe("cannot compare bool with text at 7");
    expect(error("score ~ 5")).toBe("~ compares text, not number at 0");
    expect(error("title > null")).toBe("null can only be compared with = or != at 8");
    expect(error("'a' ?= tags")).toBe(
      "a multi-valued operand must be on the left of the operator at 7",
    );
    expect(() =>
      checkFilter(parseFastSchemaFilter({ meta: { $gt: [1] } }), schema, { allowHidden: false }),
    ).toThrow("> compares numbers, strings or booleans");
    expect(() =>
      checkFilter(parseFastSchemaFilter({ title: ["a"] }), schema, { allowHidden: false }),
    ).toThrow("cannot compare text with json");
  });

  it("converts literals to the type they are compared with", () => {
    expect(check("score > '5'").right.ref).toEqual({ kind: "literal", value: 5 });
    expect(check("published >= '2024-02-29 10:00:00+02:00'").right.ref).toEqual({
      kind: "literal",
      value: "2024-02-29T08:00:00.000Z",
    });
    expect(check("@yearStart < '2024-01-01'").right.ref).toEqual({
      kind: "literal",
      value: "2024-01-01T00:00:00.000Z",
    });
  });

  it("marks request values compared with dates or numbers for conversion at run time", () => {
    expect(check("created > @request.auth.created").right.coerce).toBe("date");
    expect(check("score > @request.auth.level").right.coerce).toBe("number");
    expect(check("title = @request.auth.name").right.coerce).toBeNull();
  });

  it("compares multiple relations item by item, and with null as emptiness", () => {
    expect(check("tags = 'a'").quant).toBe("all");
    expect(check("tags ?= 'a'").quant).toBe("any");
    expect(check("meta:each = 1").quant).toBe("all");
    expect(check("tags = null")).toMatchObject({
      quant: "one",
      left: { modifier: "length" },
      right: { ref: { value: 0 } },
    });
    expect(check("tags != ''")).toMatchObject({ op: "!=", left: { modifier: "length" } });
  });

  it("reads a field on the right of ~ as a substring", () => {
    expect(check("title ~ owner").like).toEqual({ syntax: "contains", fold: true });
    expect(check("title ~ 'a%'").like).toEqual({ syntax: "auto", fold: true });
  });

  it("rejects LIKE patterns that would be slow to match", () => {
    expect(error(`title ~ '%${"_".repeat(65)}%'`)).toBe(
      "a pattern may have at most 64 characters between % when it uses _ at 8",
    );
    expect(check(`title ~ '${"_".repeat(65)}'`).like?.syntax).toBe("auto");
  });
  describe("request operands", () => {
    // Create, update and delete rules, which read the request (rules may read hidden fields).
    const writeError = (text: string) => error(text, true, "write");

    it("refuses body fields the collection does not have, system fields and paths into non-json fields", () => {
      expect(writeError("@request.body.nope = 1")).toBe('unknown field "nope" at 0');
      expect(writeError("@request.body.id = 'a'")).toBe('unknown field "id" at 0');
      expect(writeError("@request.body.title.x = 'a'")).toBe('"title" is not a json field at 0');
      expect(error("@request.body.secret = 'a'")).toBe('unknown field "secret" at 0');
      expect(writeError("@request.body.title:length = 1")).toBe(
        ":length applies to multiple and json fields at 0",
      );
      expect(writeError("@request.body.title = 5")).toBe("cannot compare text with number at 20");
      expect(writeError("@request.body.meta.a:isset = true")).toBe(
        ":isset applies to a whole field, not a path at 0",
      );
      expect(writeError("title:isset = true")).toBe(
        ":isset applies to @request.body, .query and .headers values at 0",
      );
      expect(writeError("@request.query.a.b = 'x'")).toBe(
        "@request.query values have no sub-fields at 0",
      );
      expect(writeError("@request.headers.X_Token = 'x'")).toBe(
        "header names are lowercase, with _ for - (x_token) at 0",
      );
      expect(writeError("title = @request.body.tags")).toBe(
        "a multi-valued operand must be on the left of the operator at 8",
      );
    });

    it("reads query parameters and headers in create, update and delete rules only", () => {
      expect(error("@request.query.page = '1'")).toMatch(
        /^only create, update and delete rules can read @request.query .* at 0$/,
      );
      expect(error("title = @request.headers.x_token")).toMatch(
        /^only create, update and delete rules can read @request.headers .* at 8$/,
      );
      const write = { allowHidden: false, request: "write" } as const;
      const text = "@request.query.page = '1' && @request.headers.x_token != ''";
      expect(() => checkFilter(parseFilter(text), schema, write)).not.toThrow();
    });

    it("takes :changed only as a whole body field compared with true or false", () => {
      const message = ":changed can only be compared with true or false, using = or != at 0";
      expect(writeError("@request.body.title:changed = 'x'")).toBe(message);
      expect(writeError("@request.body.title:changed < true")).toBe(message);
      expect(writeError("@request.body.title:changed = @request.body.owner:changed")).toBe(message);
      expect(writeError("@request.body.meta.a:changed = true")).toBe(
        ":changed applies to a whole field, not a path at 0",
      );
      expect(writeError("@request.query.a:changed = true")).toBe(
        ":changed applies to @request.body fields at 0",
      );
      expect(writeError("title:changed = true")).toBe(
        ":changed applies to @request.body fields at 0",
      );
      expect(writeError("@request.body.nope:changed = true")).toBe('unknown field "nope" at 0');
    });
  });
});
