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
