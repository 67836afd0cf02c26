import { describe, expect, it } from "vitest";
import { FilterError } from "./errors.ts";
import type { CollectionSchema } from "./schema.ts";
import { compileSort, parseSort, sortToSql } from "./sort.ts";

const schema: CollectionSchema = {
  fields: [
    { name: "title", type: "text" },
    { name: "score", type: "number" },
    { name: "secret", type: "text", hidden: true },
    { name: "meta", type: "json" },
    { name: "tags", type: "relation", multiple: true },
  ],
};

function sortError(text: string): FilterError {
  try {
    parseSort(text, schema, { allowHidden: false });
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

describe("parseSort", () => {
  it("reads directions, json paths and blanks", () => {
    expect(parseSort(" -created, +title ,score,meta.rank", schema, { allowHidden: false })).toEqual(
      [
        { field: "created", path: [], desc: true },
        { field: "title", path: [], desc: false },
        { field: "score", path: [], desc: false },
        { field: "meta", path: ["rank"], desc: false },
      ],
    );
    expect(parseSort("", schema, { allowHidden: false })).toEqual([]);
  });

  it("rejects bad lists with INVALID_SORT and the term's offset", () => {
    expect(sortError("title,nope")).toMatchObject({
      code: "INVALID_SORT",
      message: 'unknown field "nope" at 6',
    });
    expect(sortError("secret").message).toBe('unknown field "secret" at 0');
    expect(sortError("tags").message).toBe('cannot sort by the multiple field "tags" at 0');
    expect(sortError("title.x").message).toBe('"title" is not a json field at 0');
    expect(sortError("title,,score").message).toBe("empty sort term at 6");
    expect(sortError(Array(9).fill("title").join(",")).message).toBe(
      "more than 8 sort terms at 48",
    );
    expect(parseSort("secret", schema, { allowHidden: true })).toHaveLength(1);
  });
});

describe("sortToSql and compileSort", () => {
  it("ends with id so that paging is deterministic", () => {
    expect(sortToSql([{ field: "created", path: [], desc: true }], "r")).toBe(
      `"r"."created" DESC, "r"."id" COLLATE "C" ASC`,
    );
    expect(sortToSql([], "r")).toBe(`"r"."id" COLLATE "C" ASC`);
  });

  it("puts missing values first ascending and last descending, then orders by type", () => {
    const records = [
      { id: "a", score: 10 },
      { id: "b" },
      { id: "c", score: 9 },
      { id: "d", score: null },
      { id: "e", score: "7" },
      { id: "f", score: true },
    ];
    const ascending = [...records].sort(
      compileSort(parseSort("score", schema, { allowHidden: false })),
    );
    expect(ascending.map((r) => r.id)).toEqual(["b", "d", "f", "c", "a", "e"]);
    const descending = [...records].sort(
      compileSort(parseSort("-score", schema, { allowHidden: false })),
    );
    expect(descending.map((r) => r.id)).toEqual(["e", "a", "c", "f", "b", "d"]);
  });
});
