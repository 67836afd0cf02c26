import { createMemoryBus } from "@tidings/bus";
import { eventually } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { ChangeCache, type ChangeNotices } from "./change-cache.ts";

interface Item {
  id: string;
  name: string;
  version: number;
}

// A store the cache loads from, counting its loads.
function store() {
  const items = new Map<string, Item>();
  let loads = 0;
  const put = (item: Item) => {
    for (const [key, old] of items) if (old.id === item.id) items.delete(key);
    items.set(item.id, item);
    items.set(item.name, item);
  };
  const load = async (key: string) => {
    loads++;
    return items.get(key);
  };
  return { put, load, loads: () => loads };
}

// A notice source driven by the test: what the bus does, without its timing.
function manualNotices() {
  const handlers = new Set<(data: Uint8Array) => void>();
  const reconnects = new Set<() => void>();
  const notices: ChangeNotices = {
    notify: (_topic, data) => {
      for (const handler of handlers) handler(data);
    },
    onNotice: (_topic, handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onReconnect: (listener) => {
      reconnects.add(listener);
      return () => reconnects.delete(listener);
    },
  };
  const reconnect = () => {
    for (const listener of reconnects) listener();
  };
  return { notices, reconnect };
}

const keysOf = (item: Item) => [item.id, item.name];

describe("ChangeCache", () => {
  it("keeps nothing until it follows notices: every get loads", async () => {
    const db = store();
    db.put({ id: "c1", name: "posts", version: 1 });
    const cache = new ChangeCache({ topic: "items", load: db.load, keysOf });
    await cache.get("posts");
    await cache.get("posts");
    expect(db.loads()).toBe(2);
  });

  it("loads a value once for all its keys, and forgets every key when one is announced", async () => {
    const db = store();
    const { notices } = manualNotices();
    db.put({ id: "c1", name: "posts", version: 1 });
    const cache = new ChangeCache({ topic: "items", load: db.load, keysOf });
    cache.follow(notices);
    const [a, b] = await Promise.all([cache.get("posts"), cache.get("posts")]);
    expect(a).toBe(b);
    expect((await cache.get("c1"))?.version).toBe(1);
    expect(db.loads()).toBe(1);
    db.put({ id: "c1", name: "articles", version: 2 });
    cache.changed("c1");
    expect(await cache.get("posts")).toBeUndefined();
    expect((await cache.get("articles"))?.version).toBe(2);
  });

  it("never caches a miss, and keeps a load that raced a change out of the cache", async () => {
    const db = store();
    const { notices } = manualNotices();
    const cache = new ChangeCache({ topic: "items", load: db.load, keysOf });
    cache.follow(notices);
    expect(await cache.get("c1")).toBeUndefined();
    db.put({ id: "c1", name: "posts", version: 1 });
    const racing = cache.get("c1");
    cache.forget("c1");
    expect((await racing)?.version).toBe(1);
    db.put({ id: "c1", name: "posts", version: 2 });
    expect((await cache.get("c1"))?.version).toBe(2);
  });

  it("a get after a change loads again, even while a load begun before it is under way", async () => {
    const db = store();
    const { notices } = manualNotices();
    db.put({ id: "c1", name: "posts", version: 1 });
    const cache = new ChangeCache({ topic: "items", load: db.load, keysOf });
    cache.follow(notices);
    const before = cache.get("c1");
    db.put({ id: "c1", name: "posts", version: 2 });
    cache.changed("c1");
    expect((await cache.get("c1"))?.version).toBe(2);
    expect((await before)?.version).toBe(1);
    expect((await cache.get("c1"))?.version).toBe(2);
  });

  it("onChanged - hears each announced key once the cache forgot it, and undefined after a reconnection", async () => {
    const db = store();
    const { notices, reconnect } = manualNotices();
    db.put({ id: "c1", name: "posts", version: 1 });
    const cache = new ChangeCache({ topic: "items", load: db.load, keysOf });
    cache.follow(notices);
    await cache.get("c1");
    const heard: (number | undefined | string)[] = [];
    const stop = cache.onChanged((key) => {
      void cache.get("c1").then((item) => heard.push(key ?? "all", item?.version));
    });
    db.put({ id: "c1", name: "posts", version: 2 });
    cache.changed("c1");
    await eventually(() => expect(heard).toEqual(["c1", 2]));
    db.put({ id: "c1", name: "posts", version: 3 });
    reconnect();
    await eventually(() => expect(heard).toEqual(["c1", 2, "all", 3]));
    stop();
    cache.changed("c1");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(heard).toHaveLength(4);
  });

  it("forgets everything after a reconnection, and reloads after the time to live", async () => {
    const db = store();
    const { notices, reconnect } = manualNotices();
    db.put({ id: "c1", name: "posts", version: 1 });
    const cache = new ChangeCache({ topic: "items", load: db.load, keysOf, ttlMs: 50 });
    cache.follow(notices);
    await cache.get("c1");
    db.put({ id: "c1", name: "posts", version: 2 });
    expect((await cache.get("c1"))?.version).toBe(1);
    reconnect();
    expect((await cache.get("c1"))?.version).toBe(2);
    db.put({ id: "c1", name: "posts", version: 3 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await cache.get("c1"))?.version).toBe(3);
  });

  it("holds at most maxEntries keys, dropping the oldest values whole", async () => {
    const db = store();
    const { notices } = manualNotices();
    for (let i = 0; i < 5; i++) db.put({ id: `c${i}`, name: `n${i}`, version: 1 });
    const cache = new ChangeCache({ topic: "items", load: db.load, keysOf, maxEntries: 4 });
    cache.follow(notices);
    for (let i = 0; i < 5; i++) await cache.get(`c${i}`);
    const before = db.loads();
    await cache.get("n4");
    await cache.get("c3");
    expect(db.loads()).toBe(before);
    await cache.get("n0");
    expect(db.loads()).toBe(before + 1);
  });

  it("hears the changes another replica announces on the bus", async () => {
    const bus = createMemoryBus({ prefix: `cache${Date.now()}` });
    await bus.start();
    try {
      const db = store();
      db.put({ id: "c1", name: "posts", version: 1 });
      const cache = new ChangeCache({ topic: "items", load: db.load, keysOf });
      const stop = cache.follow(bus);
      await cache.get("posts");
      db.put({ id: "c1", name: "posts", version: 2 });
      const writer = new ChangeCache({ topic: "items", load: db.load, keysOf });
      writer.follow(bus);
      writer.changed("c1");
      await eventually(async () => expect((await cache.get("posts"))?.version).toBe(2));
      stop();
      await cache.get("posts");
      await cache.get("posts");
      expect(db.loads()).toBe(4);
    } finally {
      await bus.stop();
    }
  });
});
