import { describe, expect, it } from "vitest";
import { ScanFloor } from "./scan-floor.ts";

describe("ScanFloor", () => {
  it("reads the whole outbox first, and until a seq seen is older than the lookback", () => {
    const floor = new ScanFloor({ lookbackMs: 100, fullScanMs: 10_000 });
    expect(floor.next(0)).toBe(0n);
    floor.saw(10n, 0);
    expect(floor.next(50)).toBe(0n);
    floor.saw(20n, 50);
    expect(floor.next(100)).toBe(10n);
    expect(floor.next(149)).toBe(10n);
    expect(floor.next(150)).toBe(20n);
  });

  it("keeps the highest seq seen: a lower one later changes nothing", () => {
    const floor = new ScanFloor({ lookbackMs: 100, fullScanMs: 10_000 });
    floor.next(0);
    floor.saw(30n, 0);
    floor.saw(25n, 10);
    expect(floor.next(200)).toBe(30n);
  });

  it("reads the whole outbox again every fullScanMs, then goes on from the floor", () => {
    const floor = new ScanFloor({ lookbackMs: 100, fullScanMs: 1_000 });
    expect(floor.next(0)).toBe(0n);
    floor.saw(10n, 0);
    expect(floor.next(500)).toBe(10n);
    expect(floor.next(1_000)).toBe(0n);
    expect(floor.next(1_001)).toBe(10n);
  });
});
