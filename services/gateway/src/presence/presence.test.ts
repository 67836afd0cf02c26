import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { nodePairPerTest } from "./testing/node-pair.ts";
import { openTestWorld, type TestNode, type TestWorld } from "./testing/test-node.ts";

let world: TestWorld;
beforeAll(async () => {
  world = await openTestWorld();
});
afterAll(() => world[Symbol.asyncDispose]());

// In memory, both "nodes" are one node; with Redis they are two nodes sharing it.
describe.each(["memory", "redis"] as const)("presence (%s)", (mode) => {
  const pair = nodePairPerTest(() => world, mode, { maxRoomsPerConnection: 2 });
  const signedIn = pair.signedIn;
  let a: TestNode;
  let b: TestNode;
  beforeEach(() => {
    ({ a, b } = pair);
  });

  it("presence - a joiner gets the state, the others its join", async () => {
    const alice = await signedIn(a);
    const bob = await signedIn(b);
    expect(await alice.send("presence:join", { room: "lobby", meta: { name: "Alice" } })).toEqual({
      ok: true,
      room: "lobby",
      member: {
        id: alice.id,
        userId: alice.userId,
        meta: { name: "Alice" },
        joinedAt: expect.any(String),
      },
    });
    expect(alice.states).toEqual([
      {
        room: "lobby",
        members: [expect.objectContaining({ id: alice.id, meta: { name: "Alice" } })],
      },
    ]);

    await bob.send("presence:join", { room: "lobby", meta: { name: "Bob" } });
    expect(bob.states[0]?.members.map((m) => m.id).sort()).toEqual([alice.id, bob.id].sort());
    await vi.waitFor(() =>
      expect(alice.diffs).toEqual([
        {
          room: "lobby",
          joins: [
            { id: bob.id, userId: bob.userId, meta: { name: "Bob" }, joinedAt: expect.any(String) },
          ],
          leaves: [],
        },
      ]),
    );
    expect(bob.diffs).toEqual([]);
    expect(await a.presence.members("lobby")).toHaveLength(2);
  });

  it("presence - leaving and disconnecting tell the others once", async () => {
    const alice = await signedIn(a);
    const bob = await signedIn(b);
    const carol = await signedIn(b);
    for (const client of [alice, bob, carol]) await client.send("presence:join", { room: "lobby" });
    await vi.waitFor(() => expect(alice.diffs).toHaveLength(2));

    expect(await bob.send("presence:leave", { room: "lobby" })).toEqual({
      ok: true,
      room: "lobby",
    });
    carol.close();
    await vi.waitFor(() => expect(alice.diffs).toHaveLength(4));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const leaves = alice.diffs.slice(2).flatMap((diff) => diff.leaves.map((m) => m.id));
    expect(leaves.sort()).toEqual([bob.id, carol.id].sort());
    expect(alice.diffs).toHaveLength(4);
    expect((await b.presence.members("lobby")).map((m) => m.id)).toEqual([alice.id]);
  });

  it("presence - joining again replaces the meta and keeps joinedAt", async () => {
    const alice = await signedIn(a);
    const bob = await signedIn(b);
    await bob.send("presence:join", { room: "doc-1" });
    const first = await alice.send("presence:join", { room: "doc-1", meta: { cursor: 1 } });
    const second = await alice.send("presence:join", { room: "doc-1", meta: { cursor: 2 } });
    expect(second).toMatchObject({
      ok: true,
      member: {
        meta: { cursor: 2 },
        joinedAt: (first as { member?: { joinedAt: string } }).member?.joinedAt,
      },
    });
    await vi.waitFor(() =>
      expect(bob.diffs.map((diff) => diff.joins[0]?.meta)).toEqual([{ cursor: 1 }, { cursor: 2 }]),
    );
    expect(await a.presence.members("doc-1")).toHaveLength(2);
  });

  it("presence - one user's tabs are separate members with the same userId", async () => {
    const user = await world.user();
    const tab1 = await a.connect(user.token);
    const tab2 = await b.connect(user.token);
    await tab1.send("presence:join", { room: "lobby" });
    await tab2.send("presence:join", { room: "lobby" });
    const members = tab2.states[0]?.members ?? [];
    expect(members.map((m) => m.id).sort()).toEqual([tab1.id, tab2.id].sort());
    expect(members.map((m) => m.userId)).toEqual([user.id, user.id]);
  });

  it("presence - bad room names and meta are INVALID_MESSAGE", async () => {
    const alice = await signedIn(a);
    const invalid = { ok: false, error: expect.objectContaining({ code: "INVALID_MESSAGE" }) };
    for (const body of [
      { room: "" },
      { room: "x".repeat(165) },
      { room: "has space" },
      { room: "lobby", meta: "text" },
      { room: "lobby", meta: { big: "x".repeat(2_100) } },
      { room: "lobby", extra: 1 },
    ])
      expect(await alice.send("presence:join", body), JSON.stringify(body).slice(0, 40)).toEqual(
        invalid,
      );
    expect(await alice.send("presence:leave", { room: 7 })).toEqual(invalid);
    expect(alice.states).toEqual([]);
  });

  it("presence - rooms past the per-connection limit are LIMIT_EXCEEDED", async () => {
    const alice = await signedIn(a);
    await alice.send("presence:join", { room: "r1" });
    await alice.send("presence:join", { room: "r2" });
    expect(await alice.send("presence:join", { room: "r2", meta: { again: true } })).toMatchObject({
      ok: true,
    });
    expect(await alice.send("presence:join", { room: "r3" })).toMatchObject({
      ok: false,
      error: { code: "LIMIT_EXCEEDED" },
    });
    await alice.send("presence:leave", { room: "r1" });
    expect(await alice.send("presence:join", { room: "r3" })).toMatchObject({ ok: true });
  });

  it("presence - leaving a room not joined is NOT_FOUND", async () => {
    const alice = await signedIn(a);
    expect(await alice.send("presence:leave", { room: "lobby" })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
  });
});
