import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./latency-histogram.ts";
import { receiptCheck } from "./receipt-check.ts";
import type { WriteEntry } from "./workload.ts";

const write = (n: number, owner: number, active = true, ok = true): WriteEntry => ({
  n,
  owner,
  active,
  ok,
});

describe("receipt check", () => {
  const writes = [write(0, 1), write(1, 1, false), write(2, 2), write(3, 1, true, false)];

  it("per-user feed - counts what a client missed, got twice, or should never have got", () => {
    const counts = receiptCheck("feed", writes, [
      { user: 1, receipts: [] }, // misses 0
      { user: 2, receipts: [2, 2, 0] }, // 2 twice; 0 is user 1's
      { user: 3, receipts: [1] }, // a draft of user 1
    ]);
    expect(counts).toEqual({ expected: 2, missing: 1, duplicate: 1, leaked: 2, unconfirmed: 0 });
  });

  it("per-user feed - a write whose REST call failed is not expected, yet allowed if it arrives", () => {
    const counts = receiptCheck("feed", writes, [{ user: 1, receipts: [0, 3] }]);
    expect(counts).toEqual({ expected: 1, missing: 0, duplicate: 0, leaked: 0, unconfirmed: 1 });
  });

  it("broadcast feed - every acknowledged write is expected by every client", () => {
    const counts = receiptCheck("news", writes, [
      { user: 1, receipts: [0, 1, 2] },
      { user: 7, receipts: [0, 2, 9] },
    ]);
    expect(counts).toEqual({ expected: 6, missing: 1, duplicate: 0, leaked: 1, unconfirmed: 0 });
  });
});

describe("latency histogram", () => {
  it("reads percentiles to 0.1 ms after merging histograms from several processes", () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let ms = 1; ms <= 50; ms += 1) a.record(ms);
    for (let ms = 51; ms <= 100; ms += 1) b.record(ms + 0.04);
    const merged = new LatencyHistogram();
    merged.merge(a.serialize());
    merged.merge(b.serialize());
    expect(merged.summary()).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
  });
});
