import { describe, expect, it } from "vitest";
import { checkFilter } from "./checker.ts";
import { parseFilter } from "./parser.ts";
import type { AuthRecord, CollectionSchema } from "./schema.ts";
import { toSql } from "./sql.ts";

const schema: CollectionSchema = {
  fields: [
    { name: "title", type: "text" },
    { name: "owner", type: "relation" },
    { name: "tags", type: "relation", multiple: true },
  ],
};

function sql(filter: string, auth: AuthRecord = null, alias = "r") {
  const params: unknown[] = [];
  const text = toSql(checkFilter(parseFilter(filter), schema, { allowHidden: false }), {
    alias,
    param: (value) => {
      params.push(value);
      return `$${params.length}`;
    },
    auth,
    now: new Date("2024-01-01T00:00:00.000Z"),
    context: "default",
  });
  return { text, params };
}

describe("toSql", () => {
  it("binds every literal and auth value instead of writing it into the SQL", () => {
    const hostile = "x'); DROP TABLE records; --";
    const { text, params } = sql(`title = "${hostile}" || owner = @request.auth.id`, { id: "u'1" });
    expect(text).not.toContain("DROP");
    expect(text).not.toContain("u'1");
    expect(params).toEqual([JSON.stringify(hostile), JSON.stringify("u'1")]);
  });

  it("qualifies columns with the alias and reads fields from data", () => {
    expect(sql("id = 'a' && title = 'b'", null, "rec").text).toBe(
      `("rec"."id" = $1::text AND "rec"."data"->'title' = $2::jsonb)`,
    );
    expect(() => sql("id = 'a'", null, 'r"; --')).toThrow(TypeError);
  });

  it("decides what is known before the query: empty filters and request-only comparisons", () => {
    expect(sql("").text).toBe("TRUE");
    expect(sql("@request.auth.id != ''", null).text).toBe("FALSE");
    expect(sql("@request.auth.id != '' && owner = @request.auth.id", { id: "u1" }).text).toBe(
      `"r"."data"->'owner' = $1::jsonb`,
    );
  });

  it("uses the C collation for text order and ASCII-only folding for ~ and :lower", () => {
    expect(sql("title > 'a'").text).toContain(`COLLATE "C"`);
    expect(sql("title:lower = 'a'").text).toContain("translate(");
    expect(sql("title ~ 'A'").text).not.toMatch(/\blower\(|ILIKE/);
  });
});
