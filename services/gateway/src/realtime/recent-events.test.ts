import type { Bus } from "@tidings/bus";
import { pause } from "@tidings/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RecentEvents } from "./recent-events.ts";
import { counting, NOTES, publishNote, startTestBus } from "./testing/change-events.ts";

describe("RecentEvents", () => {
  let bus: Bus;
  let subject: string;
  const seqs = (page: { events: { seq: number }[] }) => page.events.map((e) => e.seq);

  beforeEach(async () => {
    bus = await startTestBus();
    subject = bus.subjects.eventFor(NOTES.id);
  });
  afterEach(() => bus.stop());

  it("events read once are served from memory, decoded; a later end extends the window", async () => {
    for (let n = 1; n <= 10; n += 1) await publishNote(bus, "u1", n);
    const reads = counting(bus, "read");
    const recent = new RecentEvents(reads.bus);
    const first = await recent.page(subject, 1, 10);
    expect(seqs(first)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first.events[0]?.event?.record).toMatchObject({ n: 1, owner: "u1" });
    expect(first.through).toBe(10);
    expect(seqs(await recent.page(subject, 4, 8))).toEqual([4, 5, 6, 7, 8]);
    expect(reads.calls()).toBe(1);
    for (let n = 11; n <= 12; n += 1) await publishNote(bus, "u1", n);
    const held = await recent.page(subject, 9, 12);
    expect(held).toMatchObject({ through: 10 });
    expect(seqs(held)).toEqual([9, 10]);
    expect(seqs(await recent.page(subject, 11, 12))).toEqual([11, 12]);
    expect(seqs(await recent.page(subject, 1, 12))).toHaveLength(12);
    expect(reads.calls()).toBe(2);
  });

  it("an older range that does not touch the window is read but not kept; the newer one stays", async () => {
    for (let n = 1; n <= 20; n += 1) await publishNote(bus, "u1", n);
    const reads = counting(bus, "read");
    const recent = new RecentEvents(reads.bus);
    await recent.page(subject, 15, 20);
    expect(seqs(await recent.page(subject, 1, 5))).toEqual([1, 2, 3, 4, 5]);
    await recent.page(subject, 16, 20);
    expect(reads.calls()).toBe(2);
    await recent.page(subject, 2, 4);
    expect(reads.calls()).toBe(3);
  });

  it("keeps at most maxEvents, dropping the oldest, and forgets a subject nobody read for idleMs", async () => {
    for (let n = 1; n <= 10; n += 1) await publishNote(bus, "u1", n);
    const reads = counting(bus, "read");
    const recent = new RecentEvents(reads.bus, { maxEvents: 4, idleMs: 200 });
    await recent.page(subject, 1, 10);
    expect(seqs(await recent.page(subject, 7, 10))).toEqual([7, 8, 9, 10]);
    expect(reads.calls()).toBe(1);
    await recent.page(subject, 6, 10);
    expect(reads.calls()).toBe(2);
    await pause(500);
    await recent.page(subject, 8, 10);
    expect(reads.calls()).toBe(3);
  });

  it("an event that does not decode is kept as such (the evaluators park it), its seq covered", async () => {
    await publishNote(bus, "u1", 1);
    await bus.publish(subject, new TextEncoder().encode("not an event"));
    await publishNote(bus, "u1", 3);
    const page = await new RecentEvents(bus).page(subject, 1, 3);
    expect(page.events.map((e) => e.event === undefined)).toEqual([false, true, false]);
  });
});
