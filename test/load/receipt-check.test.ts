import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./latency-histogram.ts";
import {
  broadcastCheck,
  DROPPED,
  EXTRA_FIELDS,
  type FeedReceipt,
  feedCheck,
  OUTSIDE_FILTER,
  zeroCounts,
} from "./receipt-check.ts";
import {
  ABSENT,
  ACTIVE,
  type Action,
  DRAFT,
  deliveryOf,
  recordId,
  type Status,
  type WriteEntry,
} from "./workload.ts";

const STEP = 7;
let n = 0;
const write = (
  kind: WriteEntry["kind"],
  record: number,
  owner: number,
  before: Status,
  after: Status,
  ok = true,
): WriteEntry => ({ n: n++, kind, record, owner, before, after, ok, dueAt: 1_000 + n * 10 });

// User 1: r0 created active, updated, left; r1 created as a draft, entered, deleted.
// User 2: r2 created active, then an update whose REST call failed; r3 a draft that stays one.
const writes = [
  write("c", 0, 1, ABSENT, ACTIVE),
  write("c", 1, 1, ABSENT, DRAFT),
  write("u", 0, 1, ACTIVE, ACTIVE),
  write("u", 1, 1, DRAFT, ACTIVE),
  write("u", 0, 1, ACTIVE, DRAFT),
  write("d", 1, 1, ACTIVE, ABSENT),
  write("d", 0, 1, DRAFT, ABSENT),
  write("c", 2, 2, ABSENT, ACTIVE),
  write("u", 2, 2, ACTIVE, DRAFT, false),
  write("c", 3, 2, ABSENT, DRAFT),
  write("u", 3, 2, DRAFT, DRAFT),
];

const got = (record: number, action: Action, flags = 0, seq = 0): FeedReceipt => ({
  id: recordId(STEP, record),
  action,
  seq,
  at: 5_000,
  flags,
});

const user1InOrder = [
  got(0, "created"),
  got(0, "updated"),
  got(1, "entered"),
  got(0, "left"),
  got(1, "deleted"),
];

describe("receipt check, W1", () => {
  it("the filter decides the action: created, updated, entered, left, deleted, or nothing for drafts", () => {
    expect(writes.map((w) => deliveryOf(w))).toEqual([
      "created",
      null,
      "updated",
      "entered",
      "left",
      "deleted",
      null,
      "created",
      "left",
      null,
      null,
    ]);
  });

  it("creates, updates, deletes, entered and left, all once and in order: nothing to report", () => {
    const latency = new LatencyHistogram();
    const counts = feedCheck(
      writes,
      [
        { user: 1, receipts: user1InOrder },
        { user: 2, receipts: [got(2, "created")] },
        { user: 3, receipts: [] },
      ],
      latency,
    );
    expect(counts).toEqual({ ...zeroCounts(), expected: 6 });
    expect(latency.summary().count).toBe(6);
  });

  it("counts a change missing, a record's changes out of order, and a second copy", () => {
    const counts = feedCheck(writes, [
      {
        user: 1,
        // left before updated; r1's deleted never comes; r0's created twice
        receipts: [got(0, "created"), got(0, "left"), got(0, "updated"), got(1, "entered")],
      },
      { user: 2, receipts: [got(2, "created"), got(2, "created")] },
    ]);
    expect(counts).toEqual({
      ...zeroCounts(),
      expected: 6,
      missing: 1,
      outOfOrder: 1,
      duplicate: 1,
    });
  });

  it("a repeat dropped by seq (resume seam) is absorbed; a change dropped with no copy kept is missing and out of order", () => {
    const counts = feedCheck(writes, [
      {
        user: 1,
        receipts: [
          ...user1InOrder.slice(0, 3),
          got(1, "entered", DROPPED),
          got(0, "left", DROPPED),
          got(1, "deleted"),
        ],
      },
    ]);
    expect(counts).toEqual({
      ...zeroCounts(),
      expected: 5,
      absorbed: 1,
      outOfOrder: 1,
      missing: 1,
    });
  });

  it("another owner's record, a draft's content and a `left` with fields are leaks; a failed write may still arrive", () => {
    const counts = feedCheck(writes, [
      {
        user: 2,
        receipts: [
          got(0, "created"), // user 1's
          got(2, "created"),
          got(3, "created", OUTSIDE_FILTER), // a draft
          got(2, "left", EXTRA_FIELDS),
          got(2, "left"), // the failed update committed after all
          got(2, "deleted"), // never written
        ],
      },
    ]);
    expect(counts).toEqual({
      ...zeroCounts(),
      expected: 1,
      leaked: 3,
      unconfirmed: 1,
      unexpected: 1,
    });
  });
});

describe("receipt check, W2", () => {
  const news = [
    { ...write("c", 0, 1, ABSENT, ACTIVE), n: 0 },
    { ...write("c", 1, 2, ABSENT, ACTIVE), n: 1 },
    { ...write("c", 2, 2, ABSENT, ACTIVE, false), n: 2 },
  ];

  it("every acknowledged write is expected by every client", () => {
    const counts = broadcastCheck(news, [
      { user: 1, receipts: [0, 1, 1] },
      { user: 7, receipts: [0, 2, 9] },
    ]);
    expect(counts).toEqual({
      ...zeroCounts(),
      expected: 4,
      missing: 1,
      duplicate: 1,
      leaked: 1,
      unconfirmed: 1,
    });
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
