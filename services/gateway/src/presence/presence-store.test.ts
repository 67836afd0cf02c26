import { withRedis } from "@tidings/testing";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryPresenceStore } from "./memory-presence-store.ts";
import type { PresenceMember, PresenceStore } from "./presence-store.ts";
import { RedisPresenceStore } from "./redis-presence-store.ts";

const member = (id: string): PresenceMember => ({
  id,
  userId: `user-${id}`,
  meta: { id },
  joinedAt: new Date().toISOString(),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const clients: Redis[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

// Two handles on the same presence state, as two nodes have.
const stores: Record<string, () => Promise<[PresenceStore, PresenceStore]>> = {
  memory: async () => {
    const store = new MemoryPresenceStore();
    return [store, store];
  },
  redis: async () => {
    const { url, prefix } = await withRedis();
    const [one, two] = [new Redis(url), new Redis(url)];
    clients.push(one, two);
    return [new RedisPresenceStore(one, { prefix }), new RedisPresenceStore(two, { prefix })];
  },
};

describe.each(Object.keys(stores))("presence store (%s)", (kind) => {
  const open = stores[kind] as () => Promise<[PresenceStore, PresenceStore]>;

  it("store - join answers the live members; leave removes a member once", async () => {
    const [one, two] = await open();
    const alone = await one.join("lobby", member("a"), 10_000);
    expect(alone).toEqual([
      expect.objectContaining({ id: "a", userId: "user-a", meta: { id: "a" } }),
    ]);
    const both = await two.join("lobby", member("b"), 10_000);
    expect(both.map((m) => m.id).sort()).toEqual(["a", "b"]);
    await two.join("other", member("a"), 10_000);

    const [first, second] = await Promise.all([one.leave("lobby", "a"), two.leave("lobby", "a")]);
    expect([first?.id, second?.id].filter(Boolean)).toEqual(["a"]);
    expect((await one.members("lobby")).map((m) => m.id)).toEqual(["b"]);
    expect((await one.members("other")).map((m) => m.id)).toEqual(["a"]);
  });

  it("store - expired members are hidden, and concurrent sweeps remove each once", async () => {
    const [one, two] = await open();
    for (const id of ["a", "b", "c"]) await one.join("lobby", member(id), 100);
    await one.join("lobby", member("live"), 10_000);
    await sleep(150);
    expect((await two.members("lobby")).map((m) => m.id)).toEqual(["live"]);

    const swept = (await Promise.all([one.sweep(2), two.sweep(2), one.sweep(2)])).flat();
    expect(swept.map((s) => `${s.room} ${s.member.id}`).sort()).toEqual([
      "lobby a",
      "lobby b",
      "lobby c",
    ]);
    expect(await two.sweep(10)).toEqual([]);
    expect(await one.leave("lobby", "a")).toBeUndefined();
  });

  it("store - refresh extends memberships and reports the ones already swept", async () => {
    const [one, two] = await open();
    await one.join("lobby", member("a"), 150);
    await one.join("lobby", member("b"), 150);
    await sleep(100);
    expect(await one.refresh([{ room: "lobby", id: "a" }], 10_000)).toEqual([]);
    await sleep(100);
    expect((await two.sweep(10)).map((s) => s.member.id)).toEqual(["b"]);
    expect(
      await one.refresh(
        [
          { room: "lobby", id: "a" },
          { room: "lobby", id: "b" },
        ],
        10_000,
      ),
    ).toEqual([{ room: "lobby", id: "b" }]);
    expect((await two.members("lobby")).map((m) => m.id)).toEqual(["a"]);
  });
});
