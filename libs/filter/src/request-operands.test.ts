import { describe, expect, it } from "vitest";
import type { CheckedFilter } from "./checked.ts";
import { checkFilter } from "./checker.ts";
import { compile } from "./compile.ts";
import { FilterError } from "./errors.ts";
import { parseFilter } from "./parser.ts";
import type { CollectionSchema, RecordData, RequestData } from "./schema.ts";
import { toSql } from "./sql.ts";

const schema: CollectionSchema = {
  fields: [
    { name: "title", type: "text" },
    { name: "secret", type: "text", hidden: true },
    { name: "score", type: "number" },
    { name: "published", type: "date" },
    { name: "meta", type: "json" },
    { name: "owner", type: "relation" },
    { name: "tags", type: "relation", multiple: true },
  ],
};

const NOW = new Date("2024-02-29T15:30:00.000Z");
const record = {
  id: "r1",
  created: "2024-02-01T00:00:00.000Z",
  updated: "2024-02-29T12:00:00.000Z",
};

function rule(text: string, request: "read" | "write" = "write"): CheckedFilter {
  return checkFilter(parseFilter(text), schema, { allowHidden: true, request });
}

function request(parts: Partial<RequestData> = {}): RequestData {
  return { method: "PATCH", body: {}, query: {}, headers: {}, ...parts };
}

/** Whether the rule lets this request through for a record holding `fields`. */
function allows(text: string, fields: Record<string, unknown>, req: RequestData): boolean {
  return compile(rule(text))({ ...record, ...fields } as RecordData, null, NOW, "default", req);
}

describe("request operands: @request.body, .query, .headers, .method", () => {
  it("parses the request's parts, the method and the :isset and :changed modifiers", () => {
    const cmp = (text: string) => {
      const node = parseFilter(text);
      if (node.type !== "cmp") throw new Error("not a comparison");
      return node.left;
    };
    expect(cmp("@request.body.meta.a = 1")).toMatchObject({
      type: "request",
      part: "body",
      path: ["meta", "a"],
    });
    expect(cmp("@request.query.page:isset = true")).toMatchObject({
      type: "request",
      part: "query",
      modifier: "isset",
    });
    expect(cmp("@request.headers.x_token = 'a'")).toMatchObject({ part: "headers" });
    expect(cmp("@request.method = 'GET'")).toMatchObject({ type: "method" });
    expect(cmp("@request.body.owner:changed = false")).toMatchObject({ modifier: "changed" });
    expect(() => parseFilter("@request.body = 1")).toThrow('unknown identifier "@request.body"');
    expect(() => parseFilter("@request.data.x = 1")).toThrow(FilterError);
  });

  it("gives list and view rules a read's request: no body, method GET", () => {
    const constant = (text: string) => rule(text, "read").root;
    expect(constant("@request.body.title:isset = false")).toEqual({ kind: "const", value: true });
    expect(constant("@request.body.title = null")).toEqual({ kind: "const", value: true });
    expect(constant("@request.body.tags:length = 0")).toEqual({ kind: "const", value: true });
    expect(constant("@request.body.owner:changed = true")).toEqual({ kind: "const", value: false });
    expect(constant("@request.method = 'GET'")).toEqual({ kind: "const", value: true });
    // Comparisons that do not read the request are left as they are.
    expect(rule("title = 'a' && @request.method = 'GET'", "read").root.kind).toBe("and");
  });

  it("reads the submitted values: typed like their fields, :isset, :length, :each", () => {
    const body = {
      title: "Hello",
      score: 5,
      published: "2024-01-01T00:00:00.000Z",
      meta: { a: [1, 2] },
      owner: null,
      tags: ["t1", "t2"],
    };
    const req = request({ body });
    expect(allows("@request.body.title = 'Hello'", {}, req)).toBe(true);
    expect(allows("@request.body.title:lower = 'hello'", {}, req)).toBe(true);
    expect(allows("@request.body.score > '4'", {}, req)).toBe(true);
    expect(allows("@request.body.published < '2024-01-02'", {}, req)).toBe(true);
    expect(allows("@request.body.meta.a:length = 2", {}, req)).toBe(true);
    expect(allows("@request.body.owner:isset = true", {}, req)).toBe(true);
    expect(allows("@request.body.owner = null", {}, req)).toBe(true);
    expect(allows("@request.body.secret:isset = false", {}, req)).toBe(true);
    expect(allows("@request.body.secret = null", {}, req)).toBe(true);
    expect(allows("@request.body.tags:length = 2", {}, req)).toBe(true);
    expect(allows("@request.body.tags:each ~ 't'", {}, req)).toBe(true);
    expect(allows("@request.body.tags:each = 't1'", {}, req)).toBe(false);
    expect(allows("@request.body.tags ?= 't2'", {}, req)).toBe(true);
    // A field not submitted: empty, no items, and :each needs at least one item.
    const none = request();
    expect(allows("@request.body.tags:length = 0", {}, none)).toBe(true);
    expect(allows("@request.body.tags:each ~ 't'", {}, none)).toBe(false);
    expect(allows("@request.body.tags != 'x'", {}, none)).toBe(true);
    // Against the record: the record is the stored one in update rules.
    expect(allows("title = @request.body.title", { title: "Hello" }, req)).toBe(true);
    expect(allows("tags ?= @request.body.owner", { tags: ["u1"] }, req)).toBe(false);
  });

  it(":changed - submitted and different from the record's value, compared whole", () => {
    const changed = (field: string, stored: unknown, body: Record<string, unknown>) =>
      allows(`@request.body.${field}:changed = true`, { [field]: stored }, request({ body }));
    expect(changed("owner", "a", { owner: "b" })).toBe(true);
    expect(changed("owner", "a", { owner: "a" })).toBe(false);
    expect(changed("owner", "a", {})).toBe(false);
    expect(changed("owner", "a", { owner: null })).toBe(true);
    expect(changed("title", null, { title: "" })).toBe(false);
    expect(changed("meta", { a: 1, b: [2] }, { meta: { b: [2], a: 1 } })).toBe(false);
    expect(changed("meta", { a: 1 }, { meta: [1] })).toBe(true);
    expect(changed("score", 1, { score: 1.0 })).toBe(false);
    // Multiple relations: the order counts; no ids and [] are both empty.
    expect(changed("tags", ["a", "b"], { tags: ["b", "a"] })).toBe(true);
    expect(changed("tags", ["a", "b"], { tags: ["a", "b"] })).toBe(false);
    expect(changed("tags", null, { tags: [] })).toBe(false);
    expect(changed("tags", [], { tags: ["a"] })).toBe(true);
    expect(changed("tags", ["a"], { tags: [] })).toBe(true);
    // `= false` and `!= true` are the negation.
    const req = request({ body: { owner: "b" } });
    expect(allows("@request.body.owner:changed = false", { owner: "a" }, req)).toBe(false);
    expect(allows("@request.body.owner:changed != true", { owner: "b" }, req)).toBe(true);
    expect(allows("false = @request.body.owner:changed", { owner: "b" }, req)).toBe(true);
  });

  it("reads query parameters and headers as strings, and the method", () => {
    const req = request({
      method: "DELETE",
      query: { page: "3" },
      headers: { x_token: "Secret" },
    });
    expect(allows("@request.query.page = '3'", {}, req)).toBe(true);
    expect(allows("score < @request.query.page", { score: 2 }, req)).toBe(true);
    expect(allows("@request.query.other:isset = false", {}, req)).toBe(true);
    expect(allows("@request.query.constructor = null", {}, req)).toBe(true);
    expect(allows("@request.headers.x_token:lower = 'secret'", {}, req)).toBe(true);
    expect(allows("@request.headers.x_token:isset = true", {}, req)).toBe(true);
    expect(allows("@request.method = 'DELETE'", {}, req)).toBe(true);
    expect(allows("@request.method:lower = 'delete'", {}, req)).toBe(true);
  });

  it("binds request values as parameters, and cannot judge a write rule without its request", () => {
    const params: unknown[] = [];
    const ctx = {
      alias: "r",
      param: (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      },
      auth: null,
      now: NOW,
      context: "default" as const,
    };
    const hostile = "x'); DROP TABLE records; --";
    const checked = rule("title = @request.body.title && @request.body.owner:changed = false");
    const text = toSql(checked, { ...ctx, request: request({ body: { title: hostile } }) });
    expect(text).not.toContain("DROP");
    expect(params).toContain(JSON.stringify(hostile));
    expect(() => toSql(checked, ctx)).toThrow(TypeError);
    expect(() => compile(checked)({ ...record }, null, NOW)).toThrow(TypeError);
  });
});
