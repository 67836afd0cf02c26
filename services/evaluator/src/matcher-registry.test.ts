import { buildSubscriptionSpec, CollectionCatalog } from "@tidings/collections";
import { newId } from "@tidings/db";
import { openTestDatabase } from "@tidings/db/testing";
import { describe, expect, it } from "vitest";
import { MatcherRegistry } from "./matcher-registry.ts";

describe("MatcherRegistry.apply", () => {
  it("indexes every subscription of an addMany delta, and still takes single add and remove deltas", async () => {
    await using db = await openTestDatabase("postgres");
    await db.prisma.collection.create({
      data: {
        id: "notes00000000000",
        name: "notes",
        fields: [{ name: "n", type: "number" }],
        listRule: "",
      },
    });
    const catalog = new CollectionCatalog(db.prisma);
    const notes = await catalog.byId("notes00000000000");
    if (!notes) throw new Error("no collection");
    const spec = (filter: string) =>
      buildSubscriptionSpec(
        notes.def,
        notes.rules,
        { connectionId: "c1", auth: null, superuser: false },
        { filter },
        newId(),
      );
    const [a, b, c] = [spec("n > 1"), spec("n > 2"), spec("n > 3")];
    const registry = new MatcherRegistry(catalog);
    expect(await registry.apply({ v: 1, type: "addMany", subscriptions: [a!, b!] })).toEqual([]);
    expect(registry.size).toBe(2);
    expect(registry.get(notes.def.id)?.channels().sort()).toEqual([a!.channel, b!.channel].sort());
    expect(await registry.apply({ v: 1, type: "add", subscription: c! })).toEqual([]);
    expect(registry.size).toBe(3);
    // A subscription to a collection that is gone is stale: its channel is answered.
    const gone = { ...c!, id: newId(), collectionId: "gone000000000000", channel: "gone" };
    expect(await registry.apply({ v: 1, type: "addMany", subscriptions: [gone] })).toEqual([
      "gone",
    ]);
    await registry.apply({ v: 1, type: "remove", ids: [a!.id, c!.id] });
    expect(registry.size).toBe(1);
  });
});
