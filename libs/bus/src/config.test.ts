import { describe, expect, it } from "vitest";
import { backoffDelay, resolveBusConfig, resolveConsumeOptions } from "./config.ts";
import { BusConfigError } from "./errors.ts";
import { busNames } from "./naming.ts";
import { streamSpec } from "./specs.ts";

describe("config", () => {
  it("defaults retention to 24 h / 1 GiB for events and a 2 min duplicate window", () => {
    const config = resolveBusConfig();
    expect(config.retention.events).toEqual({
      maxAgeMs: 86_400_000,
      maxBytes: 1024 ** 3,
      maxMsgs: -1,
    });
    expect(config.duplicateWindowMs).toBe(120_000);
    expect(config.partitions).toBe(8);
  });

  it("keeps the duplicate window within a shorter age limit, as JetStream requires", () => {
    const config = resolveBusConfig({ retention: { subs: { maxAgeMs: 30_000 } } });
    expect(streamSpec(busNames("t", 8), config, "subs").duplicateWindowMs).toBe(30_000);
  });

  it("rejects a lease that does not outlive the ack wait", () => {
    expect(() => resolveConsumeOptions({ ackWaitMs: 5_000, leaseMs: 5_000 })).toThrow(
      BusConfigError,
    );
    expect(resolveConsumeOptions({ ackWaitMs: 5_000 }).leaseMs).toBe(7_000);
  });

  it("rejects out-of-range options with the option's name", () => {
    expect(() => resolveBusConfig({ partitions: 0 })).toThrow(/partitions/);
    expect(() => resolveConsumeOptions({ pollMs: 10 })).toThrow(/pollMs/);
    expect(() => resolveConsumeOptions({ backoff: [] })).toThrow(/backoff/);
    expect(() => resolveConsumeOptions({ group: "a.b" })).toThrow(/group/);
  });

  it("repeats the last backoff step once the list runs out", () => {
    expect([1, 2, 3, 9].map((attempt) => backoffDelay([10, 20, 30], attempt))).toEqual([
      10, 20, 30, 30,
    ]);
  });
});
