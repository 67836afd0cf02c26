import { describe, expect, it } from "vitest";
import type { PresenceMember } from "../../presence/presence-store.ts";
import { PresenceView } from "./presence-view.ts";

const member = (id: string, userId: string | null, name = id): PresenceMember => ({
  id,
  userId,
  meta: { name },
  joinedAt: "2026-01-01T00:00:00.000Z",
});

describe("pusher presence view", () => {
  it("reports a user's first connection as added and their last as removed", () => {
    const view = new PresenceView();
    view.start([member("c1", "me")]);
    expect(view.apply({ joins: [member("c2", "u1")], leaves: [] }).added).toEqual([
      { user_id: "u1", user_info: { name: "c2" } },
    ]);
    expect(view.apply({ joins: [member("c3", "u1")], leaves: [] })).toEqual({
      added: [],
      removed: [],
    });
    expect(view.apply({ joins: [], leaves: [member("c2", "u1")] })).toEqual({
      added: [],
      removed: [],
    });
    expect(view.apply({ joins: [], leaves: [member("c3", "u1")] }).removed).toEqual([
      { user_id: "u1" },
    ]);
    expect(view.summary()).toEqual({
      presence: { ids: ["me"], hash: { me: { name: "c1" } }, count: 1 },
    });
  });

  it("merges diffs that overtook the member list, and counts a connection without a user as its own user", () => {
    const view = new PresenceView();
    expect(view.apply({ joins: [member("c2", "u2")], leaves: [member("c9", "u9")] })).toEqual({
      added: [],
      removed: [],
    });
    view.start([member("c1", "me"), member("c9", "u9"), member("c2", "u2"), member("sio", null)]);
    expect(view.summary().presence).toEqual({
      ids: ["u2", "me", "sio"],
      hash: { u2: { name: "c2" }, me: { name: "c1" }, sio: { name: "sio" } },
      count: 3,
    });
  });
});
