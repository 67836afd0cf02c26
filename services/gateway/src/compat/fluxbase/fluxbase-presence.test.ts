import { describe, expect, it } from "vitest";
import type { PresenceMember } from "../../presence/presence-store.ts";
import { PresenceRoomView, trackedMeta } from "./fluxbase-presence.ts";

const member = (id: string, meta: Record<string, unknown>): PresenceMember => ({
  id,
  userId: null,
  meta,
  joinedAt: "2026-01-01T00:00:00.000Z",
});

describe("PresenceRoomView", () => {
  it("tells joins, re-tracks as syncs, a new key as leave and join, and leaves", () => {
    const view = new PresenceRoomView();
    view.reset([]);
    const a = member("c1", trackedMeta("ada", { n: 1 }));
    expect(view.apply({ joins: [a], leaves: [] })).toEqual([
      {
        event: "join",
        key: "ada",
        newPresences: [{ n: 1 }],
        currentPresences: { ada: [{ n: 1 }] },
      },
    ]);
    expect(view.apply({ joins: [member("c1", trackedMeta("ada", { n: 2 }))], leaves: [] })).toEqual(
      [{ event: "sync", currentPresences: { ada: [{ n: 2 }] } }],
    );
    expect(
      view.apply({ joins: [member("c1", trackedMeta("bob", {}))], leaves: [] }).map((e) => e.event),
    ).toEqual(["leave", "join"]);
    expect(view.apply({ joins: [], leaves: [a] })).toEqual([
      { event: "leave", key: "bob", leftPresences: [{}], currentPresences: {} },
    ]);
  });

  it("keys members of other protocols by connection id and groups one key's connections", () => {
    const view = new PresenceRoomView();
    view.reset([
      member("sio", { name: "S" }),
      member("t1", trackedMeta("k", { tab: 1 })),
      member("t2", trackedMeta("k", { tab: 2 })),
    ]);
    expect(view.current()).toEqual({ sio: [{ name: "S" }], k: [{ tab: 1 }, { tab: 2 }] });
  });

  it("holds diffs that arrive before the member list and applies them after it", () => {
    const view = new PresenceRoomView();
    const gone = member("gone", {});
    expect(view.apply({ joins: [member("new", {})], leaves: [gone] })).toEqual([]);
    view.reset([gone, member("old", {})]);
    expect(Object.keys(view.current()).sort()).toEqual(["new", "old"]);
  });
});
