import { type Bus, BusUnavailableError, createMemoryBus, DLQ_HEADERS } from "@tidings/bus";
import { openTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { type ChangeEventMessage, encodeChangeEvent } from "@tidings/protocol";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { buildApp } from "../app.ts";
import {
  type RecordsHarness,
  recordsHarness,
  TEST_APP_OPTIONS,
  testPasswordHash,
} from "../testing/records-harness.ts";
import { MAX_DEAD_LETTERS_PER_PAGE } from "./admin-routes.ts";
import { StatusBoard } from "./status-board.ts";

const SYSTEM = {
  collectionName: "notes",
  created: "2026-05-04T09:00:00.000Z",
  updated: "2026-05-04T09:30:00.000Z",
};

/** A change event of `collectionId` whose record and old record carry `fields`. */
function changeEvent(collectionId: string, fields: Record<string, unknown>): ChangeEventMessage {
  const record = { id: "r1", collectionId, ...SYSTEM, ...fields };
  return {
    v: 1,
    id: `db:${Math.random()}`,
    collectionId,
    collectionName: "notes",
    action: "updated",
    record,
    oldRecord: record,
    socketId: null,
    at: SYSTEM.updated,
  };
}

/** The records app with the admin routes on an in-process bus, over one pglite database. */
describe("admin routes", () => {
  let db: TestDatabase;
  let bus: Bus;
  let app: FastifyInstance;
  let h: RecordsHarness;
  let notesId: string;

  const api = (method: "GET" | "POST" | "DELETE", url: string) =>
    h.call(method, url, { token: h.superuser.token });

  /** Parks `data` as the evaluator would, from `subject` (no subject header when null). */
  const park = async (data: Uint8Array, subject: string | null = bus.subjects.event(0)) => {
    const headers: Record<string, string> = {
      [DLQ_HEADERS.reason]: "Error: emit refused",
      [DLQ_HEADERS.seq]: "1",
      [DLQ_HEADERS.deliveries]: "5",
    };
    if (subject !== null) headers[DLQ_HEADERS.subject] = subject;
    return (await bus.publish(bus.subjects.dlq(0), data, { headers })).seq;
  };

  beforeAll(async () => {
    db = await openTestDatabase("pglite");
    bus = createMemoryBus({ prefix: "admin", partitions: 2 });
    await bus.start();
    app = await buildApp(TEST_APP_OPTIONS, { db, admin: { bus, board: new StatusBoard() } });
  });
  afterAll(async () => {
    await app?.close();
    await bus?.stop();
    await db?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  beforeEach(async () => {
    await db.reset();
    for (const { seq } of await bus.deadLetters.list(0, 1_000)) await bus.deadLetters.drop(seq);
    h = await recordsHarness(app, db, TEST_APP_OPTIONS, await testPasswordHash());
    const notes = await h.collection({
      name: "notes",
      fields: [
        { name: "n", type: "number" },
        { name: "secret", type: "text", hidden: true },
      ],
    });
    notesId = notes.id as string;
  });

  it("dead letters - shows only the system fields and the collection's current visible fields, even of fields hidden once and renamed or removed since", async () => {
    // `pin` and `formerSecret` were hidden fields when the event was parked; they are gone now.
    await park(
      encodeChangeEvent(
        changeEvent(notesId, { n: 1, secret: "s3cret", pin: "1234", formerSecret: "x" }),
      ),
    );
    await park(encodeChangeEvent(changeEvent("gone-collection", { n: 2, secret: "s" })));
    const { status, body } = await api("GET", "/api/admin/dead-letters");
    expect(status).toBe(200);
    const [kept, orphan] = body.items;
    const system = { id: "r1", collectionId: notesId, ...SYSTEM };
    expect(kept.event.record).toEqual({ ...system, n: 1 });
    expect(kept.event.oldRecord).toEqual({ ...system, n: 1 });
    // A collection that no longer exists: its fields are unknown, only the system ones show.
    expect(orphan.event.record).toEqual({ ...system, collectionId: "gone-collection" });
    expect(orphan.event.oldRecord).toEqual({ ...system, collectionId: "gone-collection" });
  });

  it("dead letters - caps perPage at 100 and answers a page past the end at once with the totals", async () => {
    for (let n = 0; n < 3; n++) await park(encodeChangeEvent(changeEvent(notesId, { n })));
    const capped = await api("GET", "/api/admin/dead-letters?perPage=500");
    expect(capped.status).toBe(200);
    expect(capped.body).toMatchObject({
      page: 1,
      perPage: MAX_DEAD_LETTERS_PER_PAGE,
      totalItems: 3,
      totalPages: 1,
    });
    expect(capped.body.items).toHaveLength(3);

    const read = vi.spyOn(bus.deadLetters, "list");
    const past = await api("GET", "/api/admin/dead-letters?page=3&perPage=200");
    expect(past.body).toEqual({
      page: 3,
      perPage: MAX_DEAD_LETTERS_PER_PAGE,
      totalItems: 3,
      totalPages: 1,
      items: [],
    });
    // Page 3 of 100 starts at 200, not at 400 as a page of 200 would.
    expect(read).toHaveBeenCalledWith(200, MAX_DEAD_LETTERS_PER_PAGE);
    const second = await api("GET", "/api/admin/dead-letters?page=2&perPage=2");
    expect(
      second.body.items.map((item: { event: { record: { n: number } } }) => item.event.record.n),
    ).toEqual([2]);
  });

  it("retry - a dead letter with no original subject, or one that is not an events subject, is a CONFLICT to drop instead", async () => {
    const data = encodeChangeEvent(changeEvent(notesId, { n: 7 }));
    const missing = await park(data, null);
    const elsewhere = await park(data, bus.subjects.subs);
    const before = await bus.lastSeq("events");
    for (const seq of [missing, elsewhere]) {
      const { status, body } = await api("POST", `/api/admin/dead-letters/${seq}/retry`);
      expect(status).toBe(409);
      expect(body).toMatchObject({ status: 409, code: "CONFLICT", data: {} });
      expect(body.message).toMatch(
        new RegExp(`^Dead letter ${seq} cannot be republished: .*Drop it instead\\.$`),
      );
    }
    expect(await bus.lastSeq("events")).toBe(before);
    expect((await api("GET", "/api/admin/dead-letters")).body.totalItems).toBe(2);
    expect((await api("DELETE", `/api/admin/dead-letters/${missing}`)).status).toBe(204);
  });

  it("cluster - the bus being down leaves deadLetters null and shows the rest; the dead-letter routes answer UNAVAILABLE", async () => {
    vi.spyOn(bus.deadLetters, "count").mockRejectedValue(new BusUnavailableError("streamState"));
    vi.spyOn(bus.deadLetters, "list").mockRejectedValue(new BusUnavailableError("read"));
    const cluster = await api("GET", "/api/admin/cluster");
    expect(cluster.status).toBe(200);
    expect(cluster.body).toMatchObject({
      outbox: { backlog: 0, oldestAgeSeconds: null },
      partitions: { total: 2, unheld: [0, 1] },
      deadLetters: null,
    });
    const list = await api("GET", "/api/admin/dead-letters");
    expect(list.status).toBe(503);
    expect(list.body).toMatchObject({ code: "UNAVAILABLE" });
  });

  it("cluster - a bus not started yet leaves deadLetters null too", async () => {
    const idle = createMemoryBus({ prefix: "idle" });
    const other = await buildApp(TEST_APP_OPTIONS, {
      db,
      admin: { bus: idle, board: new StatusBoard() },
    });
    try {
      const answer = await other.inject({
        method: "GET",
        url: "/api/admin/cluster",
        headers: { authorization: `Bearer ${h.superuser.token}` },
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ deadLetters: null, outbox: { backlog: 0 } });
      const retry = await other.inject({
        method: "POST",
        url: "/api/admin/dead-letters/1/retry",
        headers: { authorization: `Bearer ${h.superuser.token}` },
      });
      expect(retry.statusCode).toBe(503);
    } finally {
      await other.close();
    }
  });
});
