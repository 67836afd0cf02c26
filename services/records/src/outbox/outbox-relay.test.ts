import { type Bus, type BusRecord, createJetStreamBus, createMemoryBus } from "@tidings/bus";
import { newId } from "@tidings/db";
import { openTestDatabase, type TestBackend, type TestDatabase } from "@tidings/db/testing";
import {
  CHANGE_EVENT_HEADERS,
  type ChangeEventMessage,
  decodeChangeEvent,
} from "@tidings/protocol";
import { eventually, startNatsServer, withNats } from "@tidings/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOutboxRelay, type OutboxRelay } from "./outbox-relay.ts";
import { appendOutbox, appendOutboxMany, type OutboxEntry } from "./outbox-writer.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const FAST = { pollMs: 200, retryMs: 100 };

async function writeEvents(
  db: TestDatabase,
  collectionId: string,
  count: number,
  from = 0,
): Promise<void> {
  for (let i = from; i < from + count; i += 1) {
    await db.prisma.$transaction((tx) => appendOutbox(tx, eventOf(collectionId, i)));
  }
}

// The outbox row of the `i`th created record of a collection.
function eventOf(collectionId: string, i: number): OutboxEntry {
  return {
    collectionId,
    collectionName: collectionId,
    action: "created",
    record: {
      id: `r${i}`,
      collectionId,
      collectionName: collectionId,
      created: "x",
      updated: "x",
      n: i,
    },
    socketId: i % 2 === 0 ? `sock-${i}` : undefined,
  };
}

async function stored(bus: Bus): Promise<ChangeEventMessage[]> {
  const records: BusRecord[] = await bus.read(bus.subjects.events, 1, { limit: 10_000 });
  return records.map((record) => decodeChangeEvent(record.data));
}

const numbers = (events: ChangeEventMessage[]) => events.map((event) => Number(event.record.n));

describe.each(["postgres", "pglite"] as const)(
  "outbox relay on %s with the in-process bus",
  (backend: TestBackend) => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await openTestDatabase(backend);
    });
    afterAll(() => db?.close());
    beforeEach(() => db.reset());

    it("stamps each event with the subscription deltas published before it and its collection's version", async () => {
      const bus = createMemoryBus({ prefix: `relay_${newId(6)}` });
      await bus.start();
      const relay = createOutboxRelay({ db, bus, logger: silent }, FAST);
      await relay.start();
      try {
        const collection = await db.prisma.collection.create({
          data: { id: newId(), name: "stamped", fields: [] },
        });
        await bus.publish(bus.subjects.subs, new TextEncoder().encode("{}"));
        await bus.publish(bus.subjects.subs, new TextEncoder().encode("{}"));
        await writeEvents(db, collection.id, 1);
        await writeEvents(db, "gone", 1, 1);
        await eventually(async () =>
          expect(await bus.read(bus.subjects.events, 1)).toHaveLength(2),
        );
        const [known, gone] = await bus.read(bus.subjects.events, 1);
        expect(known!.headers).toMatchObject({
          [CHANGE_EVENT_HEADERS.subsSeq]: "2",
          [CHANGE_EVENT_HEADERS.rulesVersion]: collection.updated.toISOString(),
        });
        expect(gone!.headers[CHANGE_EVENT_HEADERS.rulesVersion]).toBe("");
      } finally {
        await relay.stop();
        await bus.stop();
      }
    });

    it("publishes every row once, in order, as a change event, and marks it sent", async () => {
      const bus = createMemoryBus({ prefix: `relay_${newId(6)}` });
      await bus.start();
      const relay = createOutboxRelay({ db, bus, logger: silent }, FAST);
      await relay.start();
      try {
        await writeEvents(db, "posts", 5);
        await writeEvents(db, "tags", 5, 5);
        await eventually(async () =>
          expect(await db.prisma.outboxEvent.count({ where: { sentAt: null } })).toBe(0),
        );
        const events = await stored(bus);
        expect(numbers(events)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(new Set(events.map((e) => e.id)).size).toBe(10);
        expect(events[0]).toMatchObject({
          v: 1,
          collectionId: "posts",
          action: "created",
          socketId: "sock-0",
          oldRecord: null,
        });
        expect(events[1]!.socketId).toBeNull();
        const [onTags] = await bus.read(bus.subjects.eventFor("tags"), 1, { limit: 1 });
        expect(decodeChangeEvent(onTags!.data).record.n).toBe(5);
      } finally {
        await relay.stop();
        await bus.stop();
      }
    });

    it("relays a write right after a lone one at once, and paces rounds once one carries several rows", async () => {
      const bus = createMemoryBus({ prefix: `relay_${newId(6)}` });
      await bus.start();
      const roundMs = 2_000;
      const relay = createOutboxRelay({ db, bus, logger: silent }, { ...FAST, roundMs });
      await relay.start();
      const relayedWithin = async (count: number) => {
        const started = Date.now();
        await eventually(async () => expect(await stored(bus)).toHaveLength(count), 10_000);
        return Date.now() - started;
      };
      try {
        await writeEvents(db, "paced", 1, 0);
        await relayedWithin(1);
        // The round that relayed it carried one row: the next write does not wait for roundMs.
        await writeEvents(db, "paced", 1, 1);
        expect(await relayedWithin(2)).toBeLessThan(roundMs / 2);
        // Three rows in one transaction: their round carries several, so the next round waits.
        await db.prisma.$transaction((tx) =>
          appendOutboxMany(
            tx,
            [2, 3, 4].map((n) => eventOf("paced", n)),
          ),
        );
        const pacedFrom = Date.now();
        await relayedWithin(5);
        await writeEvents(db, "paced", 1, 5);
        await relayedWithin(6);
        expect(Date.now() - pacedFrom).toBeGreaterThanOrEqual(roundMs / 2);
        expect(numbers(await stored(bus))).toEqual([0, 1, 2, 3, 4, 5]);
      } finally {
        await relay.stop();
        await bus.stop();
      }
    });
  },
);

describe("outbox relay on PostgreSQL and JetStream", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase("postgres");
  });
  afterAll(() => db?.close());
  beforeEach(() => db.reset());

  it("a row whose transaction commits after later rows were relayed, and after the lookback, still goes out once", async () => {
    const bus = createMemoryBus({ prefix: `relay_${newId(6)}` });
    await bus.start();
    const relay = createOutboxRelay(
      { db, bus, logger: silent },
      { ...FAST, lookbackMs: 50, fullScanMs: 1_000 },
    );
    const late = await db.openSession();
    try {
      // The late row draws its seq first, then waits uncommitted while later rows go out.
      await late.exec("BEGIN");
      await late.query(
        `INSERT INTO outbox (collection_id, collection_name, action, record_id, record)
         VALUES ('posts', 'posts', 'created', 'late', $1::jsonb)`,
        [
          JSON.stringify({
            id: "late",
            collectionId: "posts",
            collectionName: "posts",
            created: "x",
            updated: "x",
            n: 99,
          }),
        ],
      );
      await relay.start();
      await writeEvents(db, "posts", 3);
      await eventually(async () => expect(numbers(await stored(bus))).toEqual([0, 1, 2]));
      // Past the lookback, rounds read only above the rows already seen; the late row is below.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await writeEvents(db, "posts", 1, 3);
      await eventually(async () => expect(numbers(await stored(bus))).toEqual([0, 1, 2, 3]));
      await late.exec("COMMIT");
      await eventually(async () => expect(numbers(await stored(bus))).toEqual([0, 1, 2, 3, 99]));
    } finally {
      await late.close();
      await relay.stop();
      await bus.stop();
    }
  });

  it("two replicas: one relays at a time, the other takes over when it stops; nothing twice, nothing reordered", async () => {
    await using nats = await withNats();
    const buses = [0, 1].map(() => createJetStreamBus({ servers: nats.url, prefix: nats.prefix }));
    await Promise.all(buses.map((bus) => bus.start()));
    const relays: OutboxRelay[] = buses.map((bus) =>
      createOutboxRelay({ db, bus, logger: silent }, FAST),
    );
    await Promise.all(relays.map((relay) => relay.start()));
    try {
      await eventually(() => expect(relays.filter((r) => r.leading)).toHaveLength(1));
      await writeEvents(db, "posts", 20);
      const leader = relays.findIndex((r) => r.leading);
      await relays[leader]!.stop();
      await writeEvents(db, "posts", 20, 20);
      await eventually(() => expect(relays[1 - leader]!.leading).toBe(true));
      await eventually(async () => expect(numbers(await stored(buses[0]!))).toHaveLength(40));
      expect(numbers(await stored(buses[0]!))).toEqual(Array.from({ length: 40 }, (_, i) => i));
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await Promise.all(buses.map((b) => b.stop()));
    }
  });

  it("after a crash between publishing and marking, the next holder marks instead of publishing again", async () => {
    await using nats = await withNats();
    const bus = createJetStreamBus({ servers: nats.url, prefix: nats.prefix });
    await bus.start();
    try {
      await writeEvents(db, "posts", 3);
      const first = createOutboxRelay({ db, bus, logger: silent }, FAST);
      await first.start();
      await eventually(async () =>
        expect(await db.prisma.outboxEvent.count({ where: { sentAt: null } })).toBe(0),
      );
      await first.stop();
      // As if the holder died after the stream stored the events but before it marked them sent.
      await db.prisma.outboxEvent.updateMany({ data: { sentAt: null } });
      await writeEvents(db, "posts", 2, 3);
      const second = createOutboxRelay({ db, bus, logger: silent }, FAST);
      await second.start();
      await eventually(async () =>
        expect(await db.prisma.outboxEvent.count({ where: { sentAt: null } })).toBe(0),
      );
      await second.stop();
      expect(numbers(await stored(bus))).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await bus.stop();
    }
  });

  it("NATS down: writes still succeed and wait; after the restart every event arrives once, in order", async () => {
    await using server = await startNatsServer();
    const bus = createJetStreamBus({
      servers: server.url,
      prefix: "relayrestart",
      publishTimeoutMs: 1_000,
      apiTimeoutMs: 1_000,
      connection: { reconnectTimeWait: 100 },
    });
    await bus.start();
    const relay = createOutboxRelay({ db, bus, logger: silent }, FAST);
    await relay.start();
    try {
      await writeEvents(db, "posts", 5);
      await eventually(async () =>
        expect(await db.prisma.outboxEvent.count({ where: { sentAt: null } })).toBe(0),
      );
      await server.stop();
      await writeEvents(db, "posts", 5, 5);
      expect(await db.prisma.outboxEvent.count({ where: { sentAt: null } })).toBe(5);
      await server.start();
      await writeEvents(db, "posts", 5, 10);
      await eventually(
        async () => expect(await db.prisma.outboxEvent.count({ where: { sentAt: null } })).toBe(0),
        20_000,
      );
      expect(numbers(await stored(bus))).toEqual(Array.from({ length: 15 }, (_, i) => i));
    } finally {
      await relay.stop();
      await bus.stop();
    }
  });
});
