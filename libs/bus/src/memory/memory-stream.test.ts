import { describe, expect, it } from "vitest";
import { ExpectationFailedError } from "../errors.ts";
import type { StreamSpec } from "../transport.ts";
import { MemoryStream } from "./memory-stream.ts";

const spec: StreamSpec = {
  name: "S",
  subjects: ["s.>"],
  maxAgeMs: 0,
  maxBytes: -1,
  maxMsgs: -1,
  maxMsgsPerSubject: -1,
  duplicateWindowMs: 1_000,
  replicas: 1,
};
const data = new Uint8Array([1]);

function streamWithClock(overrides: Partial<StreamSpec> = {}) {
  const clock = { now: 1_000_000 };
  return { clock, stream: new MemoryStream({ ...spec, ...overrides }, () => clock.now) };
}

describe("MemoryStream", () => {
  it("answers a msgId within the duplicate window as a duplicate, and stores it again after", () => {
    const { clock, stream } = streamWithClock();
    expect(stream.append("s.a", data, {}, "m")).toEqual({ seq: 1, duplicate: false });
    clock.now += 999;
    expect(stream.append("s.a", data, {}, "m")).toEqual({ seq: 1, duplicate: true });
    clock.now += 2;
    expect(stream.append("s.a", data, {}, "m")).toEqual({ seq: 2, duplicate: false });
  });

  it("drops messages older than maxAge and reports the first retained sequence", () => {
    const { clock, stream } = streamWithClock({ maxAgeMs: 500, duplicateWindowMs: 500 });
    stream.append("s.a", data, {});
    clock.now += 300;
    stream.append("s.a", data, {});
    clock.now += 300;
    expect(stream.state()).toMatchObject({ firstSeq: 2, lastSeq: 2, messages: 1 });
    clock.now += 300;
    expect(stream.state()).toMatchObject({ firstSeq: 3, lastSeq: 2, messages: 0 });
  });

  it("keeps the newest messages within maxBytes", () => {
    const { stream } = streamWithClock({ maxBytes: 100 });
    for (let i = 0; i < 10; i++) stream.append("s.a", new Uint8Array(30), {});
    const { firstSeq, lastSeq, bytes } = stream.state();
    expect(lastSeq).toBe(10);
    expect(firstSeq).toBeGreaterThan(1);
    expect(bytes).toBeLessThanOrEqual(100);
  });

  it("refuses a conditional append when the subject's last sequence differs", () => {
    const { stream } = streamWithClock({ maxMsgsPerSubject: 1 });
    expect(stream.append("s.token", data, {}, undefined, { expectLastSubjectSeq: 0 }).seq).toBe(1);
    expect(() =>
      stream.append("s.token", data, {}, undefined, { expectLastSubjectSeq: 0 }),
    ).toThrow(ExpectationFailedError);
    expect(stream.range(1, "s.token", 10)).toHaveLength(1);
  });

  it("reads a filtered range in order from a sequence", () => {
    const { stream } = streamWithClock();
    for (const subject of ["s.a", "s.b", "s.a", "s.b", "s.a"]) stream.append(subject, data, {});
    expect(stream.range(2, "s.a", 10).map((message) => message.seq)).toEqual([3, 5]);
    expect(stream.range(1, "s.*", 2).map((message) => message.seq)).toEqual([1, 2]);
  });
});

describe("MemoryStream - per-subject reads", () => {
  it("finds the next message of one subject past many of another, and counts per subject", () => {
    const { stream } = streamWithClock();
    stream.append("s.a", data, {});
    for (let i = 0; i < 1_000; i++) stream.append("s.b", data, {});
    stream.append("s.a", data, {});
    expect(stream.nextFrom(2, "s.a")?.seq).toBe(1_002);
    expect(stream.nextFrom(1_003, "s.a")).toBeUndefined();
    expect(stream.count(1, "s.a")).toBe(2);
    expect(stream.count(2, "s.*")).toBe(1_001);
    expect(stream.count(1, ">")).toBe(1_002);
  });

  it("merges several subjects in stream order, including subjects that appear later", () => {
    const { stream } = streamWithClock();
    expect(stream.range(1, "s.*", 10)).toEqual([]);
    for (const subject of ["s.a", "s.b", "s.c", "s.b", "s.a", "s.c"])
      stream.append(subject, data, {});
    expect(stream.range(2, "s.*", 10).map((m) => m.subject)).toEqual([
      "s.b",
      "s.c",
      "s.b",
      "s.a",
      "s.c",
    ]);
    stream.append("s.d", data, {});
    expect(stream.range(6, "s.*", 10).map((m) => m.seq)).toEqual([6, 7]);
    expect(stream.range(1, "s.*", 0)).toEqual([]);
  });

  it("keeps one message per subject and sweeps the replaced ones out of stream order", () => {
    const { stream } = streamWithClock({ maxMsgsPerSubject: 1 });
    stream.append("s.keep", data, {});
    for (let i = 0; i < 500; i++) stream.append(`s.t${i % 3}`, data, {});
    expect(stream.state()).toMatchObject({ firstSeq: 1, lastSeq: 501, messages: 4 });
    expect(stream.range(1, ">", 10).map((m) => m.seq)).toEqual([1, 499, 500, 501]);
    expect(stream.get(2)).toBeUndefined();
    expect(stream.get(500)?.subject).toBe("s.t0");
    expect(stream.nextFrom(2, "s.t0")?.seq).toBe(500);
  });

  it("trims the oldest messages by count across subjects and reads on from there", () => {
    const { stream } = streamWithClock({ maxMsgs: 3 });
    for (const subject of ["s.a", "s.b", "s.a", "s.b", "s.a"]) stream.append(subject, data, {});
    expect(stream.state()).toMatchObject({ firstSeq: 3, lastSeq: 5, messages: 3 });
    expect(stream.nextFrom(1, "s.b")?.seq).toBe(4);
    expect(stream.count(1, "s.a")).toBe(2);
    expect(stream.get(1)).toBeUndefined();
  });
});
