import { describe, expect, it } from "vitest";
import {
  decodeSubscriptionDelta,
  encodeAddDeltas,
  encodeSubscriptionDelta,
  type SubscriptionDelta,
  type SubscriptionSpec,
} from "./subscription.ts";

const spec = (id: string): SubscriptionSpec => ({
  id,
  connectionId: "c1",
  collectionId: "posts",
  recordId: null,
  filter: "title ~ 'x'",
  filterSyntax: "pocketbase",
  events: [],
  select: [],
  auth: { id: "u1" },
  superuser: false,
  channel: `ch-${id}`,
  rulesVersion: "2026-01-01T00:00:00.000Z",
});

describe("subscription deltas", () => {
  it("encodeAddDeltas - one addMany for a batch that fits, decoded to the same specs", () => {
    const specs = ["a", "b", "c"].map(spec);
    const messages = encodeAddDeltas(specs, 64 * 1024);
    expect(messages).toHaveLength(1);
    expect(decodeSubscriptionDelta(messages[0] as Uint8Array)).toEqual({
      v: 1,
      type: "addMany",
      subscriptions: specs,
    });
  });

  it("encodeAddDeltas - splits a batch so no message passes the limit, keeping every spec once, in order", () => {
    const specs = Array.from({ length: 50 }, (_, i) => spec(`s${i}`));
    const one = encodeAddDeltas([spec("x")], 1_000_000)[0]?.length ?? 0;
    const limit = one * 4;
    const messages = encodeAddDeltas(specs, limit);
    expect(messages.length).toBeGreaterThan(10);
    for (const message of messages) expect(message.length).toBeLessThanOrEqual(limit);
    const decoded = messages.flatMap((message) => {
      const delta = decodeSubscriptionDelta(message);
      return delta.type === "addMany" ? delta.subscriptions : [];
    });
    expect(decoded.map((s) => s.id)).toEqual(specs.map((s) => s.id));
  });

  it("encodeAddDeltas - a spec larger than the limit still goes, alone; nothing for no specs", () => {
    const messages = encodeAddDeltas([spec("a"), spec("b")], 10);
    expect(messages).toHaveLength(2);
    expect(encodeAddDeltas([], 10)).toEqual([]);
  });

  it("single add and remove deltas still decode", () => {
    const add: SubscriptionDelta = { v: 1, type: "add", subscription: spec("a") };
    expect(decodeSubscriptionDelta(encodeSubscriptionDelta(add))).toEqual(add);
    const remove: SubscriptionDelta = { v: 1, type: "remove", ids: ["a"] };
    expect(decodeSubscriptionDelta(encodeSubscriptionDelta(remove))).toEqual(remove);
    const empty = new TextEncoder().encode('{"v":1,"type":"addMany","subscriptions":[]}');
    expect(() => decodeSubscriptionDelta(empty)).toThrow();
  });
});
