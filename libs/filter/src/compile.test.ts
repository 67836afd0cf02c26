import { describe, expect, it } from "vitest";
import { checkFilter } from "./checker.ts";
import { compile } from "./compile.ts";
import { parseFastSchemaFilter } from "./fastschema-parser.ts";
import { parseFilter } from "./parser.ts";
import type { AuthRecord, CollectionSchema, RecordData, RequestContext } from "./schema.ts";

const schema: CollectionSchema = {
  fields: [
    { name: "title", type: "text" },
    { name: "score", type: "number" },
    { name: "active", type: "bool" },
    { name: "published", type: "date" },
    { name: "meta", type: "json" },
    { name: "owner", type: "relation" },
    { name: "tags", type: "relation", multiple: true },
    { name: "constructor", type: "text" },
  ],
};

const NOW = new Date("2024-02-29T15:30:00.000Z");
const base = { id: "r1", created: "2024-02-01T00:00:00.000Z", updated: "2024-02-29T12:00:00.000Z" };

function matches(
  filter: string,
  fields: Record<string, unknown>,
  auth: AuthRecord = null,
  context: RequestContext = "default",
): boolean {
  const predicate = compile(checkFilter(parseFilter(filter), schema, { allowHidden: true }));
  return predicate({ ...base, ...fields } as RecordData, auth, NOW, context);
}

describe("compile: the meaning of a filter", () => {
  it("treats missing, null and the empty string as equal to each other", () => {
    expect(matches("title = null", {})).toBe(true);
    expect(matches("title = null", { title: null })).toBe(true);
    expect(matches("title = null", { title: "" })).toBe(true);
    expect(matches("title = ''", {})).toBe(true);
    expect(matches("title != null", { title: "x" })).toBe(true);
    expect(matches("title != null", { title: "" })).toBe(false);
    expect(matches("title != 'a'", {})).toBe(true);
    expect(matches("score = 0", {})).toBe(false);
  });

  it("never orders empty values or values of different types", () => {
    expect(matches("score < 5", {})).toBe(false);
    expect(matches("score >= 5", {})).toBe(false);
    expect(matches("meta < 5", { meta: "4" })).toBe(false);
    expect(matches("meta = 5", { meta: "5" })).toBe(false);
    expect(matches("meta > 'a'", { meta: "b" })).toBe(true);
    expect(matches("active > false", { active: true })).toBe(true);
  });

  it("compares json values structurally", () => {
    expect(
      matches("meta.a = meta.b", { meta: { a: { x: 1, y: [1, 2] }, b: { y: [1, 2], x: 1 } } }),
    ).toBe(true);
    expect(matches("meta.a = meta.b", { meta: { a: [1, 2], b: [2, 1] } })).toBe(false);
    expect(matches("meta.list.1 = 'b'", { meta: { list: ["a", "b"] } })).toBe(true);
    expect(matches("meta.missing.deep = null", { meta: 5 })).toBe(true);
  });

  it("orders text by code point, astral characters after the rest of the BMP", () => {
    expect(matches("title > '\uffff'", { title: "😀" })).toBe(true);
    expect(matches("title < 'a'", { title: "B" })).toBe(true);
    expect(matches("title < 'é'", { title: "z" })).toBe(true);
  });

  it("compares dates chronologically, reading date literals in UTC", () => {
    expect(matches("created = '2024-02-01'", {})).toBe(true);
    expect(matches("created < '2024-02-01 00:00:00.001Z'", {})).toBe(true);
    expect(
      matches("published > '2024-02-29T10:00:00+02:00'", { published: "2024-02-29T08:00:00.001Z" }),
    ).toBe(true);
    expect(matches("updated > @todayStart && updated < @todayEnd", {})).toBe(true);
    expect(matches("created >= @monthStart", {})).toBe(true);
    expect(
      matches(
        "@monthEnd = '2024-02-29 23:59:59.999Z' && @yearEnd = '2024-12-31T23:59:59.999Z'",
        {},
      ),
    ).toBe(true);
    expect(matches("@hour = 15 && @weekday = 4 && @month = 2 && @year = 2024", {})).toBe(true);
  });

  it("wraps ~ values in % unless they hold one, ignoring ASCII case only", () => {
    expect(matches("title ~ 'ELL'", { title: "hello" })).toBe(true);
    expect(matches("title ~ 'he%'", { title: "hello" })).toBe(true);
    expect(matches("title ~ 'el%'", { title: "hello" })).toBe(false);
    expect(matches("title ~ 'h_llo'", { title: "h_llo!" })).toBe(true);
    expect(matches("title ~ 'h_llo'", { title: "hello" })).toBe(false);
    expect(matches("title ~ '50\\%'", { title: "only 50% off" })).toBe(true);
    expect(matches("title ~ 'h_llo%'", { title: "hello" })).toBe(true);
    expect(matches("title ~ 'é'", { title: "É" })).toBe(false);
    expect(matches("title !~ 'x'", {})).toBe(true);
    expect(matches("title ~ owner", { title: "a%b", owner: "%" })).toBe(true);
    expect(matches("title ~ owner", { title: "ab", owner: "%" })).toBe(false);
  });

  it("lowercases ASCII letters only with :lower", () => {
    expect(matches("title:lower = 'straße'", { title: "STRAßE" })).toBe(true);
    expect(matches("title:lower = 'é'", { title: "É" })).toBe(false);
    expect(
      matches("owner:lower = @request.auth.name:lower", { owner: "Ann" }, { name: "ANN" }),
    ).toBe(true);
  });

  it("applies plain operators to every item of a multiple relation, and any-of to at least one", () => {
    expect(matches("tags = 'a'", { tags: ["a", "a"] })).toBe(true);
    expect(matches("tags = 'a'", { tags: ["a", "b"] })).toBe(false);
    expect(matches("tags = 'a'", { tags: [] })).toBe(false);
    expect(matches("tags != 'a'", { tags: ["b", "c"] })).toBe(true);
    expect(matches("tags != 'a'", { tags: ["a", "b"] })).toBe(false);
    expect(matches("tags != 'a'", { tags: [] })).toBe(true);
    expect(matches("tags ?= 'a'", { tags: ["b", "a"] })).toBe(true);
    expect(matches("tags ?= 'a'", { tags: [] })).toBe(false);
    expect(matches("tags ?!= 'a'", { tags: ["a", "b"] })).toBe(true);
    expect(matches("tags ?!= 'a'", { tags: ["a"] })).toBe(false);
    expect(matches("tags = null", { tags: [] })).toBe(true);
    expect(matches("tags = null", {})).toBe(true);
    expect(matches("tags != ''", { tags: ["a"] })).toBe(true);
    expect(matches("tags:length = 2", { tags: ["a", "b"] })).toBe(true);
    expect(matches("meta:length = 0", { meta: "abc" })).toBe(true);
    expect(matches("meta:each > 1", { meta: [2, 3] })).toBe(true);
    expect(matches("meta ?= 3", { meta: [2, 3] })).toBe(true);
    expect(matches("meta = 3", { meta: [3] })).toBe(false);
  });

  it("reads @request.auth (null when anonymous) and @request.context", () => {
    expect(matches("owner = @request.auth.id", { owner: "u1" }, { id: "u1" })).toBe(true);
    expect(matches("@request.auth.id != ''", {}, null)).toBe(false);
    expect(matches("@request.auth.id != ''", {}, { id: "u1" })).toBe(true);
    expect(matches("@request.auth.missing = null", {}, { id: "u1" })).toBe(true);
    expect(matches("@request.auth.roles ?= 'admin'", {}, { roles: ["user", "admin"] })).toBe(true);
    expect(
      matches("created < @request.auth.created", {}, { created: new Date("2024-03-01") }),
    ).toBe(true);
    expect(matches("created < @request.auth.created", {}, { created: "2024-03-01" })).toBe(true);
    expect(matches("score > @request.auth.level", { score: 3 }, { level: "2" })).toBe(true);
    expect(matches("@request.context = 'realtime'", {}, null, "realtime")).toBe(true);
    expect(matches("@request.context = 'realtime'", {})).toBe(false);
  });

  it("reads only a record's own properties", () => {
    expect(matches("constructor = null", {})).toBe(true);
    expect(matches("meta.toString = null", { meta: {} })).toBe(true);
    expect(matches("@request.auth.constructor = null", {}, {})).toBe(true);
  });

  it("gives FastSchema operators the same meaning", () => {
    const fs = (filter: object, fields: Record<string, unknown>) =>
      compile(checkFilter(parseFastSchemaFilter(filter), schema, { allowHidden: false }))(
        { ...base, ...fields },
        null,
        NOW,
      );
    expect(fs({ title: { $like: "he%" } }, { title: "hello" })).toBe(true);
    expect(fs({ title: { $like: "HE%" } }, { title: "hello" })).toBe(false);
    expect(fs({ title: { $contains: "l%o" } }, { title: "hel%o" })).toBe(true);
    expect(fs({ title: { $contains: "l%o" } }, { title: "hello" })).toBe(false);
    expect(fs({ title: { $containsfold: "ELL" } }, { title: "hello" })).toBe(true);
    expect(fs({ title: { $notcontainsfold: "ELL" } }, {})).toBe(true);
    expect(fs({ score: { $in: [1, 2] } }, { score: 2 })).toBe(true);
    expect(fs({ score: { $nin: [1, 2] } }, {})).toBe(true);
    expect(fs({ title: { $null: true } }, {})).toBe(true);
    expect(fs({ "meta.a": { $gte: 2 } }, { meta: { a: 2 } })).toBe(true);
  });
});
