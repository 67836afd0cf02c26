import { describe, expect, it } from "vitest";
import { ORDERS, outboxRows } from "../testing/publish-fixtures.ts";
import { useRecordsHarness } from "../testing/records-harness.ts";

describe.each(["postgres", "pglite"] as const)("internal publish over HTTP on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("publish - one event becomes one outbox row shaped like a record write's", async () => {
    const { collection, db, publish } = h();
    const def = await collection(ORDERS);
    const before = Date.now();
    const answer = await publish(
      {
        collection: "orders",
        action: "created",
        record: { id: "o1", title: "Tea", total: 4.5, secret: "s", owner: "no-such-user" },
      },
      { headers: { "x-socket-id": "sock-1" } },
    );
    expect(answer).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 0 } });
    const [row, ...more] = await outboxRows(db);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      collectionId: def.id,
      collectionName: "orders",
      action: "created",
      recordId: "o1",
      oldRecord: null,
      socketId: "sock-1",
      sentAt: null,
    });
    const record = row!.record as Record<string, unknown>;
    // Every field of the collection, hidden ones included, absent ones null; dates default to now.
    expect(record).toEqual({
      id: "o1",
      collectionId: def.id,
      collectionName: "orders",
      created: record.created,
      updated: record.created,
      title: "Tea",
      total: 4.5,
      paid: null,
      due: null,
      secret: "s",
      owner: "no-such-user",
    });
    expect(Date.parse(record.created as string)).toBeGreaterThanOrEqual(before - 1);
  });

  it("publish - a batch becomes rows in the given order, with old records and given dates", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    const events = [
      {
        collection: "orders",
        action: "created",
        record: { id: "a", title: "one", created: "2026-01-02 03:04:05Z", due: "2026-02-01" },
      },
      {
        collection: "orders",
        action: "updated",
        record: { id: "a", title: "two", updated: "2026-01-03T00:00:00+01:00" },
        oldRecord: { title: "one" },
      },
      { collection: "orders", action: "created", record: { id: "b", title: "other" } },
      { collection: "orders", action: "deleted", record: { id: "a", title: "two" } },
    ];
    const answer = await publish({ events });
    expect(answer).toMatchObject({ status: 202, body: { accepted: 4, duplicates: 0 } });
    const rows = await outboxRows(db);
    expect(rows.map((r) => [r.action, r.recordId])).toEqual([
      ["created", "a"],
      ["updated", "a"],
      ["created", "b"],
      ["deleted", "a"],
    ]);
    expect(rows[0]!.record).toMatchObject({
      created: "2026-01-02T03:04:05.000Z",
      due: "2026-02-01T00:00:00.000Z",
    });
    expect(rows[1]!.record).toMatchObject({ title: "two", updated: "2026-01-02T23:00:00.000Z" });
    expect(rows[1]!.oldRecord).toMatchObject({ id: "a", title: "one", collectionName: "orders" });
    expect(rows.every((r) => r.socketId === null)).toBe(true);
  });

  it("publish - an invalid X-Socket-Id is refused and writes nothing", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    const answer = await publish(
      { collection: "orders", action: "created", record: { id: "o1", title: "x" } },
      { headers: { "x-socket-id": "not valid!" } },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("VALIDATION_FAILED");
    expect(await outboxRows(db)).toEqual([]);
  });

  it("publish - an external collection still has no record routes", async () => {
    const { call, collection, publish } = h();
    await collection(ORDERS);
    await publish({ collection: "orders", action: "created", record: { id: "o1", title: "x" } });
    const answer = await call("GET", "/api/collections/orders/records/o1");
    expect(answer.body.code).toBe("METHOD_NOT_ALLOWED");
  });
});
