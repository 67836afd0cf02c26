import { context } from "@opentelemetry/api";
import { type BusMessage, createMemoryBus, MemoryBroker } from "@tidings/bus";
import { buildSubscriptionSpec, CollectionCatalog } from "@tidings/collections";
import { newId } from "@tidings/db";
import { openTestDatabase, type TestDatabase } from "@tidings/db/testing";
import {
  CHANGE_EVENT_HEADERS,
  CHANGE_EVENT_VERSION,
  encodeChangeEvent,
  SERVER_EVENTS,
} from "@tidings/protocol";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBatchEvaluator } from "./batch-evaluator.ts";
import { MatcherRegistry } from "./matcher-registry.ts";
import type { RoomEmit } from "./room-emitter.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} } as never;
const NOTES = "notes00000000000";

// A change event of the notes collection, as the relay publishes it (headers optional).
function message(seq: number, headers: Record<string, string>): BusMessage {
  const record = {
    id: `r${seq}`,
    collectionId: NOTES,
    collectionName: "notes",
    created: "2026-01-01T00:00:00.000Z",
    updated: "2026-01-01T00:00:00.000Z",
    n: seq,
  };
  const data = encodeChangeEvent({
    v: CHANGE_EVENT_VERSION,
    id: `i:${seq}`,
    collectionId: NOTES,
    collectionName: "notes",
    action: "created",
    record,
    oldRecord: null,
    socketId: null,
    at: "2026-01-01T00:00:00.000Z",
  });
  return {
    subject: "t.events.0",
    seq,
    data,
    headers,
    msgId: `i:${seq}`,
    time: new Date(),
    context: context.active(),
    partition: 0,
    deliveryCount: 1,
    working() {},
  };
}

describe("batch evaluator - what it waits for before judging", () => {
  let db: TestDatabase;
  let catalog: CollectionCatalog;
  let registry: MatcherRegistry;
  let channel: string;
  let version: string;
  const emitted: RoomEmit[] = [];
  const deltas = { at: 0, syncs: 0 };
  const evaluate = () =>
    createBatchEvaluator({
      registry,
      emitter: { emit: async (messages) => void emitted.push(...messages) },
      deltas: {
        position: () => deltas.at,
        sync: async () => {
          deltas.syncs++;
          return deltas.at;
        },
      },
      logger: silent,
    });

  beforeAll(async () => {
    db = await openTestDatabase("postgres");
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await db.reset();
    const row = await db.prisma.collection.create({
      data: { id: NOTES, name: "notes", fields: [{ name: "n", type: "number" }], listRule: "" },
    });
    version = row.updated.toISOString();
    catalog = new CollectionCatalog(db.prisma);
    registry = new MatcherRegistry(catalog);
    const notes = await catalog.byId(NOTES);
    const spec = buildSubscriptionSpec(
      notes!.def,
      notes!.rules,
      { connectionId: "c1", auth: null, superuser: false },
      {},
      newId(),
    );
    channel = spec.channel;
    await registry.apply({ v: 1, type: "add", subscription: spec });
    emitted.length = 0;
    Object.assign(deltas, { at: 10, syncs: 0 });
  });

  const stamped = (subsSeq: number, rules = version) => ({
    [CHANGE_EVENT_HEADERS.subsSeq]: String(subsSeq),
    [CHANGE_EVENT_HEADERS.rulesVersion]: rules,
  });

  it("judges at once when the deltas are applied past every event's stamp", async () => {
    await evaluate()([message(1, stamped(9)), message(2, stamped(10))], 0);
    expect(deltas.syncs).toBe(0);
    expect(emitted.map((e) => [e.room, e.event])).toEqual([
      [channel, SERVER_EVENTS.change],
      [channel, SERVER_EVENTS.change],
    ]);
  });

  it("waits for the deltas when one event needs more than are applied, or carries no stamp", async () => {
    await evaluate()([message(1, stamped(9)), message(2, stamped(11))], 0);
    expect(deltas.syncs).toBe(1);
    await evaluate()([message(3, {})], 0);
    expect(deltas.syncs).toBe(2);
  });

  it("reads a collection again when an event says it is newer than the cached one", async () => {
    await db.prisma.collection.update({ where: { id: NOTES }, data: { listRule: null } });
    const newer = (await db.prisma.collection.findUniqueOrThrow({ where: { id: NOTES } })).updated;
    // Not announced: the catalog still holds the old rules, but the stamp says otherwise.
    await evaluate()([message(1, stamped(1, newer.toISOString()))], 0);
    expect(emitted.map((e) => e.event)).toEqual([SERVER_EVENTS.resubscribe]);
  });

  it("hears a rule change announced by another replica, for events stamped before it", async () => {
    const broker = new MemoryBroker();
    const [here, there] = [createMemoryBus({}, { broker }), createMemoryBus({}, { broker })];
    await Promise.all([here.start(), there.start()]);
    try {
      const stop = catalog.follow(here);
      await catalog.byId(NOTES);
      await db.prisma.collection.update({ where: { id: NOTES }, data: { listRule: null } });
      const writer = new CollectionCatalog(db.prisma);
      writer.follow(there);
      writer.changed(NOTES);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await evaluate()([message(1, stamped(1, version))], 0);
      expect(emitted.map((e) => e.event)).toEqual([SERVER_EVENTS.resubscribe]);
      stop();
    } finally {
      await Promise.all([here.stop(), there.stop()]);
    }
  });
});
