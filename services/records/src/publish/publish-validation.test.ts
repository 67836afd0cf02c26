import { describe, expect, it } from "vitest";
import { ORDERS, outboxRows } from "../testing/publish-fixtures.ts";
import { useRecordsHarness } from "../testing/records-harness.ts";
import { MAX_PUBLISH_EVENTS } from "./publish-validation.ts";

const created = (record: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  collection: "orders",
  action: "created",
  record,
  ...extra,
});

describe.each(["postgres", "pglite"] as const)("internal publish validation on %s", (backend) => {
  // Room for a batch of more than 1,000 events.
  const h = useRecordsHarness(backend, { bodyLimit: 1024 * 1024 });

  it("publish - an unknown collection is NOT_FOUND", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    const single = await publish({ ...created({ id: "a", title: "x" }), collection: "nope" });
    expect(single).toMatchObject({
      status: 404,
      body: { code: "NOT_FOUND", data: { collection: { code: "not_found" } } },
    });
    const batch = await publish({
      events: [created({ id: "a", title: "x" }), { ...created({ id: "b" }), collection: "nope" }],
    });
    expect(batch.status).toBe(404);
    expect(batch.body.data).toEqual({
      "events.1.collection": { code: "not_found", message: "no such collection" },
    });
    expect(await outboxRows(db)).toEqual([]);
  });

  it("publish - a base collection is refused as not_external", async () => {
    const { collection, db, publish } = h();
    await collection({ ...ORDERS, name: "posts", type: "base" });
    const answer = await publish({ ...created({ id: "a", title: "x" }), collection: "posts" });
    expect(answer).toMatchObject({
      status: 400,
      body: { code: "VALIDATION_FAILED", data: { collection: { code: "not_external" } } },
    });
    expect(await outboxRows(db)).toEqual([]);
  });

  it("publish - field values are checked like a record write, all problems at once", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    const answer = await publish(
      created({
        id: "a",
        title: 5,
        total: "12",
        paid: "yes",
        due: "tomorrow",
        owner: ["x"],
        colour: "red",
        created: "yesterday",
      }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("VALIDATION_FAILED");
    const codes = Object.fromEntries(
      Object.entries(answer.body.data).map(([path, problem]) => [
        path,
        (problem as { code: string }).code,
      ]),
    );
    expect(codes).toEqual({
      "record.title": "invalid_type",
      "record.total": "invalid_type",
      "record.paid": "invalid_type",
      "record.due": "invalid_date",
      "record.owner": "invalid_relation",
      "record.colour": "unknown_field",
      "record.created": "invalid_date",
    });
    expect(await outboxRows(db)).toEqual([]);
  });

  it("publish - the record id is required and must look like a record id", async () => {
    const { collection, publish } = h();
    await collection(ORDERS);
    const missing = await publish(created({ title: "x" }));
    expect(missing.body.data).toEqual({
      "record.id": { code: "required", message: "a record id is required" },
    });
    const bad = await publish(created({ id: "has space", title: "x" }));
    expect(bad.body.data["record.id"].code).toBe("invalid_id");
    const missingTitle = await publish(created({ id: "a" }));
    expect(missingTitle.body.data).toEqual({
      "record.title": { code: "required", message: "a value is required" },
    });
  });

  it("publish - the envelope is checked: action, record object, key length, unknown keys", async () => {
    const { collection, publish } = h();
    await collection(ORDERS);
    const answer = await publish({
      collection: "orders",
      action: "entered",
      record: [],
      idempotencyKey: "k".repeat(201),
      extra: 1,
    });
    expect(answer.status).toBe(400);
    expect(Object.keys(answer.body.data).sort()).toEqual([
      "action",
      "body",
      "idempotencyKey",
      "record",
    ]);
    expect((await publish([created({ id: "a", title: "x" })])).body.data).toEqual({
      body: { code: "invalid_type", message: "Invalid input: expected object, received array" },
    });
  });

  it("publish - an old record only with updated, checked like the record and with its id", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    const onCreate = await publish(created({ id: "a", title: "x" }, { oldRecord: { title: "w" } }));
    expect(onCreate.body.data).toEqual({
      oldRecord: { code: "not_allowed", message: "only updated events carry an old record" },
    });
    const badOld = await publish({
      collection: "orders",
      action: "updated",
      record: { id: "a", title: "x" },
      oldRecord: { id: "b", title: 1 },
    });
    expect(Object.keys(badOld.body.data).sort()).toEqual(["oldRecord.id", "oldRecord.title"]);
    expect(await outboxRows(db)).toEqual([]);
  });

  it("publish - one bad event refuses the whole batch, naming it by path", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    const events = [0, 1, 2, 3].map((i) => created({ id: `r${i}`, title: i === 3 ? 3 : "ok" }));
    const answer = await publish({ events });
    expect(answer.status).toBe(400);
    expect(answer.body.data).toEqual({
      "events.3.record.title": { code: "invalid_type", message: "expected a string" },
    });
    expect(await outboxRows(db)).toEqual([]);
  });

  it("publish - a batch holds 1 to 1,000 events", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    const empty = await publish({ events: [] });
    expect(empty.body.data.events.code).toBe("too_small");
    const events = Array.from({ length: MAX_PUBLISH_EVENTS + 1 }, (_, i) =>
      created({ id: `r${i}`, title: "x" }),
    );
    const tooMany = await publish({ events });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.data.events.code).toBe("too_big");
    expect(await outboxRows(db)).toEqual([]);
    const full = await publish({ events: events.slice(1) });
    expect(full.body).toEqual({ accepted: MAX_PUBLISH_EVENTS, duplicates: 0 });
    expect(await db.prisma.outboxEvent.count()).toBe(MAX_PUBLISH_EVENTS);
  });
});
