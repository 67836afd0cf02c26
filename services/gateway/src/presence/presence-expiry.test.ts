import { withRedis } from "@tidings/testing";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { openTestWorld, startTestNode, type TestWorld } from "./testing/test-node.ts";

let world: TestWorld;
beforeAll(async () => {
  world = await openTestWorld();
});
afterAll(() => world[Symbol.asyncDispose]());

it("presence - a dead node's members vanish within the expiry, and each other member gets their leave once", async () => {
  const redis = await withRedis();
  const memberTtlMs = 400;
  await using a = await startTestNode(world, { redis, memberTtlMs });
  await using b = await startTestNode(world, { redis, memberTtlMs });
  await using c = await startTestNode(world, { redis, memberTtlMs });
  const alice = await a.connect((await world.user()).token);
  const bob = await b.connect((await world.user()).token);
  const carol = await c.connect((await world.user()).token);
  for (const client of [alice, bob, carol]) await client.send("presence:join", { room: "lobby" });
  // Longer than the expiry: the living nodes keep their members.
  await new Promise((resolve) => setTimeout(resolve, memberTtlMs * 1.5));
  expect(await a.presence.members("lobby")).toHaveLength(3);

  // Node b hangs: no more refreshes, no cleanup, its client still connected to it.
  b.presence.stop();
  const stoppedAt = Date.now();
  await vi.waitFor(
    () => {
      for (const client of [alice, carol])
        expect(client.diffs.flatMap((diff) => diff.leaves.map((m) => m.id))).toEqual([bob.id]);
    },
    { timeout: 5_000, interval: 20 },
  );
  // Expiry plus a sweep interval, with room for a loaded machine: not the 2-minute idle timeout.
  expect(Date.now() - stoppedAt).toBeLessThan(memberTtlMs * 3);
  // Both living nodes sweep; still one leave each.
  await new Promise((resolve) => setTimeout(resolve, memberTtlMs));
  for (const client of [alice, carol])
    expect(client.diffs.filter((diff) => diff.leaves.length > 0)).toHaveLength(1);
  expect((await c.presence.members("lobby")).map((m) => m.id).sort()).toEqual(
    [alice.id, carol.id].sort(),
  );
});

it("presence - a member swept while its node lives is restored and announced again", async () => {
  const redis = await withRedis();
  const memberTtlMs = 400;
  await using a = await startTestNode(world, { redis, memberTtlMs });
  await using b = await startTestNode(world, { redis, memberTtlMs });
  const alice = await a.connect((await world.user()).token);
  const bob = await b.connect((await world.user()).token);
  await alice.send("presence:join", { room: "lobby" });
  await bob.send("presence:join", { room: "lobby" });

  // b misses its refreshes for a while (a long pause), then comes back.
  b.presence.stop();
  await vi.waitFor(() => expect(alice.diffs.at(-1)?.leaves.map((m) => m.id)).toEqual([bob.id]));
  b.presence.start();
  await vi.waitFor(() => expect(alice.diffs.at(-1)?.joins.map((m) => m.id)).toEqual([bob.id]));
  expect(await a.presence.members("lobby")).toHaveLength(2);
});
