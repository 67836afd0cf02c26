import { TidingsError } from "@tidings/protocol";
import { describe, expect, it } from "vitest";
import type { FieldDef } from "./collection.ts";
import { compileSubscriptionFilter } from "./subscription-groups.ts";

const fields = (): FieldDef[] => [
  { name: "status", type: "text", required: false, hidden: false },
  { name: "secret", type: "text", required: false, hidden: true },
];

describe("compileSubscriptionFilter", () => {
  it("checks a filter once per definition: the same text gives the same checked filter", () => {
    const collection = { fields: fields() };
    const first = compileSubscriptionFilter(collection, "status = 'active'", "pocketbase", {
      allowHidden: false,
    });
    expect(
      compileSubscriptionFilter(collection, "status = 'active'", "pocketbase", {
        allowHidden: false,
      }),
    ).toBe(first);
    // A changed definition is a new field list: checked afresh, against the new fields.
    const changed = { fields: fields() };
    expect(
      compileSubscriptionFilter(changed, "status = 'active'", "pocketbase", { allowHidden: false }),
    ).not.toBe(first);
  });

  it("keeps hidden fields for superusers, and refuses a bad filter every time", () => {
    const collection = { fields: fields() };
    expect(
      compileSubscriptionFilter(collection, "secret = 'x'", "pocketbase", { allowHidden: true }),
    ).toMatchObject({ kind: "checked-filter" });
    for (let i = 0; i < 2; i += 1) {
      expect(() =>
        compileSubscriptionFilter(collection, "secret = 'x'", "pocketbase", { allowHidden: false }),
      ).toThrow(TidingsError);
    }
  });
});
