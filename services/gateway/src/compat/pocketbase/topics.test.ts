import { describe, expect, it } from "vitest";
import { parseTopic, parseTopics } from "./topics.ts";

const withOptions = (base: string, options: unknown) =>
  `${base}?options=${encodeURIComponent(JSON.stringify(options))}`;

describe("pocketbase topics", () => {
  it("reads collection and record topics, the bare collection meaning /*", () => {
    expect(parseTopic("posts/*")).toMatchObject({ collection: "posts", recordId: null });
    expect(parseTopic("posts")).toMatchObject({ collection: "posts", recordId: null });
    expect(parseTopic("posts/abc_1-2")).toMatchObject({ collection: "posts", recordId: "abc_1-2" });
  });

  it("reads the SDK's options: filter, expand and fields from query; headers ignored", () => {
    const topic = parseTopic(
      withOptions("posts/*", {
        query: { filter: 'title ~ "h"', expand: "author", fields: "id,title", sort: "-created" },
        headers: { "X-Token": "t" },
      }),
    );
    expect(topic?.filter).toBe('title ~ "h"');
    expect([...(topic?.expand?.keys() ?? [])]).toEqual(["author"]);
    expect([...(topic?.fields?.keys.keys() ?? [])]).toEqual(["id", "title"]);
    // Scalars are read as URL query values, as PocketBase does.
    expect(parseTopic(withOptions("posts/*", { query: { filter: 5 } }))?.filter).toBe("5");
    expect(parseTopic(withOptions("posts/*", { query: null }))?.filter).toBeUndefined();
  });

  it("treats topics that cannot name records as unknown (null)", () => {
    // `PB_CONNECT` reads as a bare collection; no such collection exists, so it stays silent too.
    for (const topic of ["@oauth2", "a/b/c", "", "posts/*/", "pos ts/*", "posts/a.b"])
      expect(parseTopic(topic), topic).toBeNull();
  });

  it("refuses malformed options, naming the topic's index", () => {
    const bad = [
      "posts/*?options=%7B",
      withOptions("posts/*", [1]),
      withOptions("posts/*", { query: "filter" }),
      withOptions("posts/*", { query: { filter: { a: 1 } } }),
      withOptions("posts/*", { query: { expand: "a b" } }),
      withOptions("posts/*", { query: { fields: "title:excerpt(5)" } }),
    ];
    for (const topic of bad)
      expect(() => parseTopics(["posts/*", topic]), topic).toThrow(
        expect.objectContaining({
          code: "VALIDATION_FAILED",
          data: { "subscriptions.1": expect.objectContaining({ code: "invalid_options" }) },
        }),
      );
  });
});
