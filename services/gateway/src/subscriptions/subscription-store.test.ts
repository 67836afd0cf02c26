import { type Bus, createMemoryBus } from "@tidings/bus";
import { newId } from "@tidings/db";
import { openTestDatabase, type TestBackend, type TestDatabase } from "@tidings/db/testing";
import {
  decodeSubscriptionDelta,
  type SubscriptionDelta,
  type SubscriptionSpec,
  TidingsError,
} from "@tidings/protocol";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SubscriptionStore } from "./subscription-store.ts";

const spec = (connectionId = "c1", filter: string | null = null): SubscriptionSpec => ({
  id: newId(),
  connectionId,
  collectionId: "notes",
  recordId: null,
  filter,
  filterSyntax: "pocketbase",
  events: ["created"],
  select: ["n"],
  auth: { id: "u1" },
  superuser: false,
  channel: `ch-${newId(6)}`,
  rulesVersion: "v1",
});

/** The bus, with the publishes `fails` picks (by their 1-based number) failing. */
function failingPublishes(bus: Bus, fails: (call: number) => boolean): Bus {
  let calls = 0;
  return new Proxy(bus, {
    get(target, property) {
      if (property === "publish")
        return (...args: Parameters<Bus["publish"]>) => {
          calls += 1;
          if (fails(calls)) return Promise.reject(new Error("bus down"));
          return target.publish(...args);
        };
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe.each<TestBackend>(["postgres", "pglite"])("SubscriptionStore on %s", (backend) => {
  let db: TestDatabase;
  let bus: Bus;
  const deltas = async (): Promise<SubscriptionDelta[]> =>
    (await bus.read(bus.subjects.subs, 1)).map((record) => decodeSubscriptionDelta(record.data));
  const added = (all: SubscriptionDelta[]) =>
    all.flatMap((delta) => (delta.type === "addMany" ? delta.subscriptions.map((s) => s.id) : []));

  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.reset();
    await db.prisma.realtimeConnection.create({ data: { id: "c1", nodeId: "n1" } });
    bus = createMemoryBus({ prefix: `store_${newId(6)}` });
    await bus.start();
  });
  afterEach(() => bus.stop());

  it("add - concurrent subscriptions are stored in one batch and announced in one addMany delta", async () => {
    const store = new SubscriptionStore(db.sql, bus);
    const specs = Array.from({ length: 20 }, () => spec());
    await Promise.all(specs.map((s) => store.add(s, "u1")));
    const rows = await db.prisma.realtimeSubscription.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((row) => row.id)).toEqual(specs.map((s) => s.id).sort());
    expect(rows[0]).toMatchObject({ userId: "u1", events: ["created"], select: ["n"] });
    expect(rows[0]?.auth).toEqual({ id: "u1" });
    const announced = await deltas();
    expect(announced).toHaveLength(1);
    expect(added(announced).sort()).toEqual(specs.map((s) => s.id).sort());
  });

  it("add - a subscription that cannot be stored fails alone; the others are stored and announced", async () => {
    const store = new SubscriptionStore(db.sql, bus);
    const good = [spec(), spec()];
    const orphan = spec("no-such-connection");
    const answers = await Promise.allSettled([...good, orphan].map((s) => store.add(s, null)));
    expect(answers.map((answer) => answer.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect(added(await deltas()).sort()).toEqual(good.map((s) => s.id).sort());
    expect(await db.prisma.realtimeSubscription.count()).toBe(2);
  });

  it("add - when the announcement fails, nothing stays stored and every caller gets UNAVAILABLE", async () => {
    const store = new SubscriptionStore(
      db.sql,
      failingPublishes(bus, () => true),
    );
    const answers = await Promise.allSettled([spec(), spec()].map((s) => store.add(s, null)));
    for (const answer of answers) {
      expect(answer.status).toBe("rejected");
      const reason = (answer as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(TidingsError);
      expect(reason.code).toBe("UNAVAILABLE");
    }
    expect(await db.prisma.realtimeSubscription.count()).toBe(0);
  });

  it("add - a batch announced only in part is taken back from the evaluators as well", async () => {
    const store = new SubscriptionStore(
      db.sql,
      failingPublishes(bus, (call) => call === 2),
    );
    // Large enough to be announced in more than one delta; only the first is published.
    const specs = Array.from({ length: 80 }, () => spec("c1", "n > 1 || ".repeat(400)));
    const answers = await Promise.allSettled(specs.map((s) => store.add(s, null)));
    expect(answers.every((answer) => answer.status === "rejected")).toBe(true);
    expect(await db.prisma.realtimeSubscription.count()).toBe(0);
    const announced = await deltas();
    const removed = announced.flatMap((delta) => (delta.type === "remove" ? delta.ids : []));
    expect(added(announced).length).toBeGreaterThan(0);
    expect(removed.sort()).toEqual(specs.map((s) => s.id).sort());
  });

  it("remove - concurrent removals are deleted and announced together", async () => {
    const store = new SubscriptionStore(db.sql, bus);
    const specs = Array.from({ length: 6 }, () => spec());
    await Promise.all(specs.map((s) => store.add(s, null)));
    await Promise.all(specs.slice(0, 4).map((s) => store.remove([s.id])));
    expect(await db.prisma.realtimeSubscription.count()).toBe(2);
    const removals = (await deltas()).filter((delta) => delta.type === "remove");
    expect(removals).toHaveLength(1);
    expect(removals[0]).toMatchObject({ ids: specs.slice(0, 4).map((s) => s.id) });
  });
});
