import { describe, expect, it } from "vitest";
import { ContentRefusal } from "./close-reasons.ts";
import { parseContentQuery } from "./content-query.ts";

const parse = (query: string) => parseContentQuery(`/api/realtime/content?${query}`);

function refusal(query: string): string {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof ContentRefusal) return error.message;
    throw error;
  }
  throw new Error(`no refusal for ${query}`);
}

describe("parseContentQuery", () => {
  it("reads the subscription; event defaults to * and empty parameters count as absent", () => {
    expect(parse("schema=posts")).toEqual({
      schema: "posts",
      event: "*",
      actions: [],
      id: null,
      select: [],
      filter: null,
    });
    expect(parse("schema=posts&event=&id=&select=&filter=")).toMatchObject({
      event: "*",
      id: null,
      select: [],
      filter: null,
    });
  });

  it("maps each event onto the Tidings action it stands for", () => {
    expect(parse("schema=p&event=create").actions).toEqual(["created"]);
    expect(parse("schema=p&event=update").actions).toEqual(["updated"]);
    expect(parse("schema=p&event=delete").actions).toEqual(["deleted"]);
  });

  it("takes string ids, select lists in order without repeats, and the filter as text", () => {
    const filter = JSON.stringify({ views: { $gt: 10 } });
    expect(
      parse(`schema=p&id=r_1-x&select=title, id,title&filter=${encodeURIComponent(filter)}`),
    ).toMatchObject({ id: "r_1-x", select: ["title", "id"], filter });
  });

  it("uses the first of repeated parameters, as FastSchema does", () => {
    expect(parse("schema=a&schema=b&event=create&event=bogus")).toMatchObject({
      schema: "a",
      event: "create",
    });
  });

  it("refuses a bad event, schema, id or select with the reason to close with", () => {
    expect(refusal("schema=p&event=bogus")).toBe("realtime.content: invalid event 'bogus'");
    expect(refusal("event=create")).toBe("realtime.content: schema not found: ");
    expect(refusal("schema=a.b")).toBe("realtime.content: schema not found: a.b");
    expect(refusal("schema=p&id=a/b")).toBe("realtime.content: invalid id 'a/b'");
    expect(refusal("schema=p&select=owner.name")).toBe(
      "realtime.content: invalid select: 'owner.name'",
    );
    const many = Array.from({ length: 101 }, (_, i) => `f${i}`).join(",");
    expect(refusal(`schema=p&select=${many}`)).toBe(
      "realtime.content: invalid select: more than 100 fields",
    );
  });
});
