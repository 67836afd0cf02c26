import { describe, expect, it } from "vitest";
import { BusConfigError } from "./errors.ts";
import { busNames, partitionOf } from "./naming.ts";

describe("partitionOf", () => {
  it("is a stable FNV-1a hash, so every process and release agrees", () => {
    // FNV-1a("posts") = 0x4c2edfdc; pinned so that a change of hash cannot slip in unnoticed.
    expect([partitionOf("posts", 8), partitionOf("users", 8), partitionOf("comments", 8)]).toEqual([
      4, 3, 7,
    ]);
    expect(partitionOf("", 8)).toBe(0x811c9dc5 % 8);
  });

  it("spreads collection names over every partition", () => {
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8_000; i++) counts[partitionOf(`collection_${i}`, 8)]++;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});

describe("busNames", () => {
  it("names streams after the prefix so each prefix has its own", () => {
    const names = busNames("t_ab.cd-1", 4);
    expect(names.streams).toEqual({
      events: "T_AB_CD-1_EVENTS",
      subs: "T_AB_CD-1_SUBS",
      dlq: "T_AB_CD-1_DLQ",
      leases: "T_AB_CD-1_LEASES",
    });
    expect(names.subjects.eventFor("posts")).toBe(`t_ab.cd-1.events.${partitionOf("posts", 4)}`);
  });

  it("tells which stream a subject belongs to", () => {
    const names = busNames("tidings", 8);
    expect(names.streamOf("tidings.events.3")).toBe("events");
    expect(names.streamOf("tidings.events.*")).toBe("events");
    expect(names.streamOf("tidings.subs")).toBe("subs");
    expect(names.streamOf("tidings.dlq.1")).toBe("dlq");
    expect(names.streamOf("tidings.leases.evaluator.1")).toBeUndefined();
    expect(names.streamOf("other.events.1")).toBeUndefined();
  });

  it("rejects a prefix that is not dot-separated tokens", () => {
    expect(() => busNames("bad prefix", 8)).toThrow(BusConfigError);
    expect(() => busNames("a..b", 8)).toThrow(BusConfigError);
    expect(() => busNames("a.*", 8)).toThrow(BusConfigError);
  });
});
