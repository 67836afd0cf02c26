import { describe, expect, it } from "vitest";
import { runLoadBench } from "./load-bench.ts";
import { base, expectClean } from "./short-bench.ts";

describe("load bench, short: tracing's cost", () => {
  it("runs W1 and the broadcast feed with tracing off and on, exports spans only when on, and loses nothing either way", {
    timeout: 180_000,
  }, async () => {
    const report = await runLoadBench({ ...base, steps: ["tracing"] });
    expect(report.steps.map((s) => `${s.kind} ${s.target} ${s.deployment}`)).toEqual([
      "warm-up tidings cluster 1/1/1, tracing off",
      "w1 tidings cluster 1/1/1, tracing off",
      "broadcast tidings cluster 1/1/1, tracing off",
      "broadcast baseline baseline",
      "warm-up tidings cluster 1/1/1, tracing 100 %",
      "w1 tidings cluster 1/1/1, tracing 100 %",
      "broadcast tidings cluster 1/1/1, tracing 100 %",
      "broadcast baseline baseline",
    ]);
    for (const step of report.steps) expectClean(step);
    const [off, on] = report.tracing;
    expect(off?.mode).toBe("tracing off");
    expect(off?.exports).toBe(0);
    expect(off?.w1?.cpuRatio).toBe(1);
    expect(on?.mode).toBe("tracing 100 %");
    // Every change is a trace of records, evaluator and gateway spans: there was plenty to export.
    expect(on?.exports).toBeGreaterThan(2);
    expect(on?.exportedBytes).toBeGreaterThan(10_000);
    expect(on?.w1?.cpuRatio).toBeGreaterThan(0);
    expect(on?.broadcast?.p99Ratio).toBeGreaterThan(0);
  });
});
