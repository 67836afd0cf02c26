import { describe, expect, it } from "vitest";
import { checkFilter } from "./checker.ts";
import { compile } from "./compile.ts";
import { FilterError } from "./errors.ts";
import { parseFluxbaseFilter } from "./fluxbase-parser.ts";
import type { CollectionSchema, RecordData } from "./schema.ts";

const SCHEMA: CollectionSchema = {
  fields: [
    { name: "status", type: "text" },
    { name: "score", type: "number" },
    { name: "done", type: "bool" },
    { name: "due", type: "date" },
    { name: "meta", type: "json" },
    { name: "secret", type: "text", hidden: true },
  ],
};

function error(text: string): FilterError {
  try {
    parseFluxbaseFilter(text, { schema: SCHEMA });
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

/** Which of `records` the filter selects, by id, through the whole pipeline. */
function selects(text: string, records: Record<string, unknown>[]): string[] {
  const checked = checkFilter(parseFluxbaseFilter(text, { schema: SCHEMA }), SCHEMA, {
    allowHidden: false,
  });
  const matches = compile(checked);
  return records
    .filter((record) => matches(record as RecordData, null, new Date(), "realtime"))
    .map((record) => record.id as string);
}

describe("parseFluxbaseFilter", () => {
  it("reads column=operator.value into a comparison with a string value", () => {
    expect(parseFluxbaseFilter("status=eq.published")).toMatchObject({
      type: "cmp",
      op: "=",
      left: { type: "field", path: ["status"] },
      right: { type: "literal", value: "published", pos: 10 },
    });
    expect(parseFluxbaseFilter("status=eq.a.b=c")).toMatchObject({ right: { value: "a.b=c" } });
  });

  it("maps every comparison operator onto the shared AST", () => {
    const cases: Record<string, string> = {
      eq: "=",
      neq: "!=",
      gt: ">",
      gte: ">=",
      lt: "<",
      lte: "<=",
    };
    for (const [name, op] of Object.entries(cases)) {
      expect(parseFluxbaseFilter(`score=${name}.5`)).toMatchObject({ op, right: { value: "5" } });
    }
  });

  it("reads in.(a,b) as an OR of equalities, trimming blanks, and an empty list as false", () => {
    expect(parseFluxbaseFilter("status=in.(queued, running)")).toMatchObject({
      type: "or",
      items: [
        { op: "=", right: { value: "queued", pos: 11 } },
        { op: "=", right: { value: "running", pos: 19 } },
      ],
    });
    expect(parseFluxbaseFilter("status=in.()")).toMatchObject({ type: "const", value: false });
    expect(parseFluxbaseFilter("status=in.solo")).toMatchObject({ right: { value: "solo" } });
  });

  it("reads is.null, is.true and is.false, in any case", () => {
    expect(parseFluxbaseFilter("due=is.NULL")).toMatchObject({ op: "=", right: { value: null } });
    expect(parseFluxbaseFilter("done=is.true", { schema: SCHEMA })).toMatchObject({
      op: "=",
      right: { value: true },
    });
    expect(parseFluxbaseFilter("done=is.False", { schema: SCHEMA })).toMatchObject({
      right: { value: false },
    });
  });

  it("turns like and ilike patterns into LIKE patterns with * as the wildcard", () => {
    expect(parseFluxbaseFilter("status=like.*50%_a\\b*")).toMatchObject({
      op: "~",
      like: "pattern",
      fold: false,
      right: { value: "%50\\%\\_a\\\\b%" },
    });
    expect(parseFluxbaseFilter("status=ilike.John*")).toMatchObject({ fold: true });
  });

  it("reads -> and ->> as paths into json columns", () => {
    expect(parseFluxbaseFilter("meta->a->>b=eq.x")).toMatchObject({
      left: { path: ["meta", "a", "b"] },
    });
    expect(parseFluxbaseFilter("meta->>0=eq.x")).toMatchObject({ left: { path: ["meta", "0"] } });
  });

  it("types values by the schema: bools for bool fields, every text form for json fields", () => {
    expect(parseFluxbaseFilter("done=eq.true", { schema: SCHEMA })).toMatchObject({
      right: { value: true },
    });
    expect(parseFluxbaseFilter("meta->n=eq.5", { schema: SCHEMA })).toMatchObject({
      type: "or",
      items: [{ right: { value: "5" } }, { right: { value: 5 } }],
    });
    expect(parseFluxbaseFilter("meta->n=neq.true", { schema: SCHEMA })).toMatchObject({
      type: "and",
      items: [
        { op: "!=", right: { value: "true" } },
        { op: "!=", right: { value: true } },
      ],
    });
    expect(parseFluxbaseFilter("meta->n=gt.5", { schema: SCHEMA })).toMatchObject({
      right: { value: 5 },
    });
    expect(parseFluxbaseFilter("status=gt.5", { schema: SCHEMA })).toMatchObject({
      right: { value: "5" },
    });
  });

  it("matches records as Fluxbase would for well-typed values", () => {
    const records = [
      { id: "a", status: "published", score: 8, done: true, meta: { n: 42, tag: "x" } },
      { id: "b", status: "draft", score: 3, done: false, meta: { n: "42" } },
      { id: "c", status: "50% off", score: 5, meta: { n: 7 }, due: "2024-01-02T00:00:00.000Z" },
    ];
    expect(selects("status=eq.published", records)).toEqual(["a"]);
    expect(selects("status=neq.published", records)).toEqual(["b", "c"]);
    expect(selects("score=gt.5", records)).toEqual(["a"]);
    expect(selects("score=lte.5", records)).toEqual(["b", "c"]);
    expect(selects("status=in.(draft,published)", records)).toEqual(["a", "b"]);
    expect(selects("done=is.true", records)).toEqual(["a"]);
    expect(selects("due=is.null", records)).toEqual(["a", "b"]);
    expect(selects("meta->>n=eq.42", records)).toEqual(["a", "b"]);
    expect(selects("meta->n=gte.8", records)).toEqual(["a"]);
    expect(selects("meta->>tag=is.null", records)).toEqual(["b", "c"]);
    expect(selects("status=like.*%*", records)).toEqual(["c"]);
    expect(selects("status=like.PUB*", records)).toEqual([]);
    expect(selects("status=ilike.PUB*", records)).toEqual(["a"]);
    expect(selects("due=gt.2024-01-01", records)).toEqual(["c"]);
  });

  it("matches everything when empty or blank", () => {
    expect(parseFluxbaseFilter("")).toMatchObject({ type: "const", value: true });
    expect(parseFluxbaseFilter("  ")).toMatchObject({ type: "const", value: true });
  });

  it("points errors at the offending part of the text", () => {
    expect(error("status").message).toBe("expected column=operator.value at 6");
    expect(error("status=published").message).toBe('unknown operator "published" at 7');
    expect(error("status=eq").message).toBe('expected "." after "eq" at 9');
    expect(error("status=eq.").message).toBe("missing value at 10");
    expect(error("a-b=eq.1").message).toBe('invalid column "a-b" at 0');
    expect(error("meta->=eq.1").message).toBe('invalid column "meta->" at 0');
    expect(error("done=eq.yes").message).toBe('"yes" is not a bool at 8');
    expect(error("due=is.maybe").message).toBe('is takes null, true or false, not "maybe" at 7');
    expect(error("done=in.(true,x)").message).toBe('"x" is not a bool at 14');
  });

  it("leaves unknown, hidden and wrongly typed fields to the checker", () => {
    const check = (text: string) => () =>
      checkFilter(parseFluxbaseFilter(text, { schema: SCHEMA }), SCHEMA, { allowHidden: false });
    expect(check("nope=eq.1")).toThrow('unknown field "nope" at 0');
    expect(check("secret=eq.1")).toThrow('unknown field "secret" at 0');
    expect(check("score=eq.abc")).toThrow('"abc" is not a number at 9');
    expect(check("status->a=eq.1")).toThrow('"status" is not a json field at 0');
    expect(check("score=like.5*")).toThrow("~ compares text, not number at 0");
  });

  it("refuses input past the limits", () => {
    const many = Array.from({ length: 101 }, (_, i) => i).join(",");
    expect(error(`status=in.(${many})`).message).toMatch(/^more than 100 conditions/);
    expect(error(`status=eq.${"x".repeat(5000)}`).message).toBe(
      "filter longer than 4096 characters at 4096",
    );
  });
});
