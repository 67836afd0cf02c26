import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { nodePairPerTest } from "../presence/testing/node-pair.ts";
import { openTestWorld, type TestNode, type TestWorld } from "../presence/testing/test-node.ts";

let world: TestWorld;
beforeAll(async () => {
  world = await openTestWorld();
});
afterAll(() => world[Symbol.asyncDispose]());

// In memory, both "nodes" are one node; with Redis they are two nodes sharing it.
describe.each(["memory", "redis"] as const)("broadcast (%s)", (mode) => {
  const pair = nodePairPerTest(() => world, mode, { maxTopicsPerConnection: 2 });
  const signedIn = pair.signedIn;
  let a: TestNode;
  let b: TestNode;
  beforeEach(() => {
    ({ a, b } = pair);
  });

  it("broadcast - reaches the other members on every node, never the sender", async () => {
    const [alice, bob, carol, dave] = await Promise.all([
      signedIn(a),
      signedIn(a),
      signedIn(b),
      signedIn(b),
    ]);
    for (const client of [alice, bob, carol])
      expect(await client.send("broadcast:join", { topic: "chat" })).toEqual({
        ok: true,
        topic: "chat",
      });
    await dave.send("broadcast:join", { topic: "other" });

    const payload = { text: "hi", n: [1, null] };
    expect(await alice.send("broadcast", { topic: "chat", payload })).toEqual({
      ok: true,
      topic: "chat",
    });
    const expected = { topic: "chat", payload, from: { id: alice.id, userId: alice.userId } };
    await vi.waitFor(() => {
      expect(bob.broadcasts).toEqual([expected]);
      expect(carol.broadcasts).toEqual([expected]);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alice.broadcasts).toEqual([]);
    expect(dave.broadcasts).toEqual([]);
  });

  it("broadcast - sending to a topic not joined is FORBIDDEN", async () => {
    const alice = await signedIn(a);
    expect(await alice.send("broadcast", { topic: "chat", payload: 1 })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
  });

  it("broadcast - after broadcast:leave nothing more arrives", async () => {
    const alice = await signedIn(a);
    const carol = await signedIn(b);
    for (const client of [alice, carol]) await client.send("broadcast:join", { topic: "chat" });
    expect(await carol.send("broadcast:leave", { topic: "chat" })).toEqual({
      ok: true,
      topic: "chat",
    });
    await alice.send("broadcast", { topic: "chat", payload: "gone?" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(carol.broadcasts).toEqual([]);
    expect(await carol.send("broadcast:leave", { topic: "chat" })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
  });

  it("broadcast - topics past the per-connection limit are LIMIT_EXCEEDED", async () => {
    const alice = await signedIn(a);
    for (const topic of ["t1", "t2", "t2"])
      expect(await alice.send("broadcast:join", { topic })).toMatchObject({ ok: true });
    expect(await alice.send("broadcast:join", { topic: "t3" })).toMatchObject({
      ok: false,
      error: { code: "LIMIT_EXCEEDED" },
    });
  });

  it("broadcast - bad topics and payloads are INVALID_MESSAGE", async () => {
    const alice = await signedIn(a);
    await alice.send("broadcast:join", { topic: "chat" });
    for (const [event, body] of [
      ["broadcast:join", { topic: "a b" }],
      ["broadcast:join", {}],
      ["broadcast:leave", { topic: "" }],
      ["broadcast", { topic: "chat" }],
      ["broadcast", { topic: "chat", payload: 1, extra: true }],
      ["broadcast", { topic: "x".repeat(165), payload: 1 }],
    ] as const)
      expect(
        await alice.send(event, body),
        `${event} ${JSON.stringify(body).slice(0, 30)}`,
      ).toMatchObject({
        ok: false,
        error: { code: "INVALID_MESSAGE" },
      });
  });
});
