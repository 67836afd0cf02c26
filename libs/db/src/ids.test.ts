import { describe, expect, it } from "vitest";
import { newId } from "./ids.ts";

describe("newId", () => {
  it("makes 15 lowercase alphanumerics and does not repeat", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId()));
    expect(ids.size).toBe(10_000);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{15}$/);
  });
});
