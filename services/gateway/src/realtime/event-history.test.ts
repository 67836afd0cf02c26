import type { Bus } from "@tidings/bus";
import { buildSubscriptionSpec } from "@tidings/collections";
import { newId } from "@tidings/db";
import type { ChangePayload } from "@tidings/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventHistory } from "./event-history.ts";
import type { ReplayRequest } from "./replay-batch.ts";
import {
  counting,
  NOTES,
  NOTES_RULES,
  publishNote,
  startTestBus,
} from "./testing/change-events.ts";

/** A resume of `user`'s notes (with `filter`), recording what it is sent. */
function resume(user: string, after: number, through: number, filter?: string) {
  const sent: ChangePayload[] = [];
  const spec = buildSubscriptionSpec(
    NOTES,
    NOTES_RULES,
    { connectionId: newId(), auth: { id: user }, superuser: false },
    { filter },
    newId(),
  );
  const request: ReplayRequest = {
    collection: NOTES,
    rules: NOTES_RULES,
    spec,
    after,
    through,
    send: (payload) => sent.push(payload),
    drained: async () => {},
  };
  return { request, sent, ns: () => sent.map((payload) => payload.record.n) };
}

describe("EventHistory", () => {
  let bus: Bus;

  beforeEach(async () => {
    bus = await startTestBus();
  });
  afterEach(() => bus.stop());

  it("end - callers waiting together share one read of the stream's state", async () => {
    const infos = counting(bus, "info");
    const history = new EventHistory(infos.bus);
    await publishNote(bus, "u1", 1);
    expect(await Promise.all([history.end(), history.end(), history.end()])).toEqual([1, 1, 1]);
    expect(infos.calls()).toBe(1);
    await publishNote(bus, "u1", 2);
    expect(await history.end()).toBe(2);
  });

  it("assertResumable - a position beyond the stream's end is RESYNC_REQUIRED with the bounds", async () => {
    const history = new EventHistory(bus);
    await publishNote(bus, "u1", 1);
    await expect(history.assertResumable(1)).resolves.toBeUndefined();
    await expect(history.assertResumable(0)).resolves.toBeUndefined();
    await expect(history.assertResumable(5)).rejects.toMatchObject({
      code: "RESYNC_REQUIRED",
      data: { oldestSeq: 1, lastSeq: 1 },
    });
  });

  it("replay - each resume gets exactly the changes after its position up to its end that its rule and filter let through", async () => {
    const history = new EventHistory(bus);
    const seqs: number[] = [];
    for (let n = 1; n <= 8; n += 1) seqs.push(await publishNote(bus, n % 2 ? "ann" : "bob", n));
    const ann = resume("ann", 0, seqs[6] as number);
    const bob = resume("bob", seqs[1] as number, seqs[7] as number);
    const bigBob = resume("bob", 0, seqs[7] as number, "n > 4");
    const counts = await Promise.all([ann, bob, bigBob].map((r) => history.replay(r.request)));
    expect(ann.ns()).toEqual([1, 3, 5, 7]);
    expect(bob.ns()).toEqual([4, 6, 8]);
    expect(bigBob.ns()).toEqual([6, 8]);
    expect(counts).toEqual([4, 3, 2]);
    expect(ann.sent[0]).toMatchObject({
      channel: ann.request.spec.channel,
      seq: seqs[0],
      action: "created",
    });
  });

  it("replay - resumes waiting together are served by one read of the stream; later ones from memory", async () => {
    const reads = counting(bus, "read");
    const history = new EventHistory(reads.bus);
    for (let n = 1; n <= 6; n += 1) await publishNote(bus, `u${n % 3}`, n);
    const users = Array.from({ length: 50 }, (_, i) => `u${i % 3}`);
    const first = users.map((user, i) => resume(user, i % 4, 6));
    await Promise.all(first.map((r) => history.replay(r.request)));
    expect(reads.calls()).toBe(1);
    expect(first[0]?.ns()).toEqual([3, 6]);
    expect(first[5]?.ns()).toEqual([2, 5]);
    const later = users.map((user) => resume(user, 0, 6));
    await Promise.all(later.map((r) => history.replay(r.request)));
    expect(reads.calls()).toBe(1);
    expect(later[1]?.ns()).toEqual([1, 4]);
  });

  it("replay - a resume from far back runs on its own and does not hold up those near the end", async () => {
    const history = new EventHistory(bus, { sharedSpan: 3 });
    for (let n = 1; n <= 10; n += 1) await publishNote(bus, "ann", n);
    let release = () => {};
    const far = resume("ann", 0, 10);
    // A client that does not read: its replay waits between pages.
    far.request.drained = () => new Promise<void>((resolve) => (release = resolve));
    const farDone = history.replay(far.request);
    const near = resume("ann", 8, 10);
    expect(await history.replay(near.request)).toBe(2);
    release();
    expect(await farDone).toBe(10);
  });
});
