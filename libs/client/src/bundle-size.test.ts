import { describe, expect, it } from "vitest";
import { BUDGET_GZIP_BYTES, measureBundles, overBudget } from "../scripts/bundle-size.ts";

describe("bundle size", () => {
  it("keeps the SDK within its budget on top of socket.io-client (npm run size)", async () => {
    const { sizes, onTopGzipBytes } = await measureBundles();
    expect(overBudget(sizes)).toEqual([]);
    expect(sizes[0]?.budget).toBe(BUDGET_GZIP_BYTES);
    expect(onTopGzipBytes).toBeGreaterThan(0);
    expect(onTopGzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  it("reports a bundle over its budget", () => {
    const sizes = [
      { label: "within", minBytes: 30, gzipBytes: 10, budget: 10 },
      { label: "over", minBytes: 30, gzipBytes: 11, budget: 10 },
      { label: "unbudgeted", minBytes: 30, gzipBytes: 99 },
    ];
    expect(overBudget(sizes).map((size) => size.label)).toEqual(["over"]);
  });
});
