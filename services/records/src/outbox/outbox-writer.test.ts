import { describe, expect, it } from "vitest";
import { useRecordsHarness } from "../testing/records-harness.ts";

const items = {
  name: "items",
  fields: [
    { name: "title", type: "text", required: true },
    { name: "secret", type: "text", hidden: true },
  ],
  listRule: "",
  viewRule: "",
  createRule: "",
  updateRule: "",
  deleteRule: "",
};

describe.each(["postgres", "pglite"] as const)("outbox on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("every write leaves one event with the full record, the old one, and the writer's socket", async () => {
    const { call, collection, db } = h();
    const def = await collection(items);
    const created = await call("POST", "/api/collections/items/records", {
      body: { title: "a", secret: "s" },
      headers: { "x-socket-id": "sock-1" },
    });
    const url = `/api/collections/items/records/${created.body.id}`;
    await call("PATCH", url, { body: { title: "b" } });
    await call("DELETE", url, { headers: { "x-socket-id": "sock-2" } });
    const events = await db.prisma.outboxEvent.findMany({ orderBy: { seq: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["created", "updated", "deleted"]);
    expect(
      events.every(
        (e) =>
          e.collectionId === def.id &&
          e.collectionName === "items" &&
          e.recordId === created.body.id &&
          e.sentAt === null,
      ),
    ).toBe(true);
    expect(events[0]).toMatchObject({
      socketId: "sock-1",
      oldRecord: null,
      record: { title: "a", secret: "s", collectionName: "items" },
    });
    expect(events[1]).toMatchObject({
      socketId: null,
      record: { title: "b", secret: "s" },
      oldRecord: { title: "a", secret: "s" },
    });
    expect(events[2]).toMatchObject({
      socketId: "sock-2",
      record: { title: "b" },
      oldRecord: null,
    });
    expect(events[0]!.seq < events[1]!.seq && events[1]!.seq < events[2]!.seq).toBe(true);
  });

  it("a refused or invalid write leaves neither record nor event", async () => {
    const { call, collection, db, user } = h();
    await collection({ ...items, createRule: "@request.auth.id != null" });
    const someone = await user();
    await call("POST", "/api/collections/items/records", { body: { title: "anonymous" } });
    await call("POST", "/api/collections/items/records", {
      token: someone.token,
      body: { title: 5 },
    });
    await call("POST", "/api/collections/items/records", {
      token: someone.token,
      body: { id: "same", title: "one" },
    });
    await call("POST", "/api/collections/items/records", {
      token: someone.token,
      body: { id: "same", title: "two" },
    });
    expect(await db.prisma.record.count()).toBe(1);
    expect(await db.prisma.outboxEvent.count()).toBe(1);
  });

  it("if the event cannot be written, the record is not written either", async () => {
    const { call, collection, db } = h();
    await collection(items);
    // Make the outbox refuse rows: the record insert in the same transaction must roll back.
    await db.prisma.$executeRawUnsafe(
      `ALTER TABLE outbox ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`,
    );
    try {
      const answer = await call("POST", "/api/collections/items/records", {
        body: { title: "doomed" },
      });
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        status: 500,
        code: "INTERNAL",
        message: "Something went wrong while processing the request.",
        data: {},
      });
      expect(await db.prisma.record.count()).toBe(0);
    } finally {
      await db.prisma.$executeRawUnsafe(`ALTER TABLE outbox DROP CONSTRAINT refuse_all`);
    }
  });
});
