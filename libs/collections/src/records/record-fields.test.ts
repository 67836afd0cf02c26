import { describe, expect, it } from "vitest";
import { parseFields, pickFields } from "./record-fields.ts";

const record = {
  id: "r1",
  title: "hello",
  meta: { a: 1, b: { c: 2 } },
  expand: { author: { id: "u1", name: "Ada", email: "ada@example.com" }, tags: [{ id: "t1" }] },
};

const pick = (text: string) =>
  pickFields(record, parseFields(text) ?? { all: true, keys: new Map() });

describe("fields", () => {
  it("keeps exactly the listed keys, whole", () => {
    expect(pick("id,title")).toEqual({ id: "r1", title: "hello" });
    expect(pick(" id , meta ")).toEqual({ id: "r1", meta: record.meta });
  });

  it("narrows nested objects and arrays of objects by dotted paths", () => {
    expect(pick("id,expand.author.name,expand.tags.id")).toEqual({
      id: "r1",
      expand: { author: { name: "Ada" }, tags: [{ id: "t1" }] },
    });
    expect(pick("meta.b.c")).toEqual({ meta: { b: { c: 2 } } });
  });

  it("* keeps every key of its level, and paths still narrow the others", () => {
    expect(pick("*")).toEqual(record);
    expect(pick("*,expand.author.id")).toEqual({ ...record, expand: { author: { id: "u1" } } });
    expect(pick("expand.*")).toEqual({ expand: record.expand });
  });

  it("leaves out keys that are not there, and blank means no selection", () => {
    expect(pick("nope,title.deeper")).toEqual({ title: "hello" });
    expect(parseFields(undefined)).toBeUndefined();
    expect(parseFields(" , ")).toBeUndefined();
  });

  it("refuses modifiers, odd names and very long text as VALIDATION_FAILED on fields", () => {
    for (const text of ["title:excerpt(10)", "a..b", "a-b", "x".repeat(2_001)])
      expect(() => parseFields(text), text.slice(0, 20)).toThrow(
        expect.objectContaining({
          code: "VALIDATION_FAILED",
          data: { fields: expect.objectContaining({ code: "invalid_fields" }) },
        }),
      );
  });
});
