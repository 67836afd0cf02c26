import { describe, expect, it } from "vitest";
import { analyzeFilter } from "./analyze.ts";
import { checkFilter } from "./checker.ts";
import { parseFilter } from "./parser.ts";
import type { CollectionSchema } from "./schema.ts";

const schema: CollectionSchema = {
  fields: [
    { name: "owner", type: "relation" },
    { name: "status", type: "text" },
    { name: "meta", type: "json" },
    { name: "tags", type: "relation", multiple: true },
  ],
};

const analyze = (text: string) =>
  analyzeFilter(checkFilter(parseFilter(text), schema, { allowHidden: true }));

describe("analyzeFilter", () => {
  it("lists the record and auth fields read and whether time or context matter", () => {
    expect(
      analyze("owner = @request.auth.id || meta.a > @now && @request.auth.meta.team = 'x'"),
    ).toMatchObject({
      fields: ["owner", "meta"],
      authFields: ["id", "meta.team"],
      usesNow: true,
      usesContext: false,
    });
    expect(analyze("@request.context = 'realtime'").usesContext).toBe(true);
  });

  it("finds top-level equalities usable as index keys", () => {
    expect(
      analyze("owner = @request.auth.id && status = 'active' && 'x' = meta.a && tags ?= 'y'")
        .equalities,
    ).toEqual([
      { field: "owner", path: [], mode: "eq", value: { kind: "auth", path: ["id"] } },
      { field: "status", path: [], mode: "eq", value: { kind: "literal", value: "active" } },
      { field: "meta", path: ["a"], mode: "eq", value: { kind: "literal", value: "x" } },
      { field: "tags", path: [], mode: "any", value: { kind: "literal", value: "y" } },
    ]);
    expect(analyze("id = 'r1'").equalities).toEqual([
      { field: "id", path: [], mode: "eq", value: { kind: "literal", value: "r1" } },
    ]);
  });

  it("leaves out what is not a top-level equality", () => {
    expect(analyze("owner = 'a' || status = 'b'").equalities).toEqual([]);
    expect(
      analyze("status != 'a' && status:lower = 'b' && tags = 'c' && status = owner").equalities,
    ).toEqual([]);
  });
});
