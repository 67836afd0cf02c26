import { describe, expect, it } from "vitest";
import { tableTarget } from "./fluxbase-tables.ts";

describe("tableTarget", () => {
  it("takes config over top-level fields over the channel, field by field", () => {
    expect(tableTarget({ channel: "table:s.posts" })).toEqual({
      schema: "s",
      table: "posts",
      event: "*",
      filter: undefined,
      channel: "table:s.posts",
    });
    expect(
      tableTarget({
        channel: "table:s.posts",
        event: "delete",
        filter: "a=eq.1",
        config: { table: "notes", filter: "b=eq.2" },
      }),
    ).toEqual({
      schema: "s",
      table: "notes",
      event: "DELETE",
      filter: "b=eq.2",
      channel: "table:s.posts",
    });
    expect(tableTarget({ table: "posts" })).toMatchObject({
      schema: "public",
      channel: "table:public.posts",
    });
    expect(tableTarget({ channel: "presence:lobby" })).toBeUndefined();
    expect(() => tableTarget({ channel: "table:" })).toThrow("table is required for subscribe");
    expect(() => tableTarget({ table: "posts", event: "TRUNCATE" })).toThrow(
      'invalid event "TRUNCATE"',
    );
  });
});
