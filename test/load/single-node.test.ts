import { describe, expect, it } from "vitest";
import { runLoadBench } from "./load-bench.ts";
import { base, expectClean } from "./short-bench.ts";

// The single-node steps of `npm run bench`, short (the full run fills the history to 1,000,000).
describe("load bench, short, single node", () => {
  it("a single node on PGlite: W1, and the same W1 step before and after its history is filled through the internal publish API", {
    timeout: 180_000,
  }, async () => {
    const report = await runLoadBench({ ...base, steps: ["standalone", "history"] });
    expect(report.steps.map((s) => s.kind)).toEqual([
      "warm-up",
      "history",
      "single-node",
      "history",
    ]);
    for (const step of report.steps) expectClean(step);
    expect(report.steps[0]?.deployment).toBe("single node (PGlite)");
    const [history] = report.histories;
    expect(history?.short.retained).toBeGreaterThanOrEqual(500);
    expect(history?.short.retained).toBeLessThan(1_000);
    expect(history?.long.retained).toBeGreaterThanOrEqual(2_500);
    expect(history?.fill.events).toBeGreaterThan(1_000);
    expect(history?.perWriteRatio).toBeGreaterThan(0);
    expect(report.targets.map((t) => t.name)).toEqual(
      expect.arrayContaining(["flat in history, single node (PGlite)"]),
    );
  });
});
