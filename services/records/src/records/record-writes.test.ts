import type { TestBackend } from "@tidings/db/testing";
import { describe, expect, it } from "vitest";
import { type RecordsHarness, useRecordsHarness } from "../testing/records-harness.ts";

const tasks = {
  name: "tasks",
  fields: [
    { name: "n", type: "number" },
    { name: "owner", type: "relation", collection: "users" },
    { name: "parent", type: "relation", collection: "tasks" },
    { name: "tags", type: "relation", collection: "tags", multiple: true },
  ],
  listRule: "",
  viewRule: "",
  createRule: "",
  updateRule: "",
  deleteRule: "",
};
const tags = { name: "tags", fields: [{ name: "label", type: "text" }], createRule: "" };

// The outbox rows of a record, oldest first: the events its writes produced.
async function eventsOf(h: RecordsHarness, recordId: string) {
  const rows = await h.db.prisma.outboxEvent.findMany({
    where: { recordId },
    orderBy: { seq: "asc" },
  });
  return rows.map((row) => ({
    action: row.action,
    n: (row.record as { n: number }).n,
    oldN: (row.oldRecord as { n: number } | null)?.n,
  }));
}

describe.each<TestBackend>(["postgres", "pglite"])("record writes on %s", (backend) => {
  const harness = useRecordsHarness(backend);

  async function setUp() {
    const h = harness();
    await h.collection(tags);
    await h.collection(tasks);
    const tag = await h.call("POST", "/api/collections/tags/records", {
      token: h.superuser.token,
      body: { label: "a" },
    });
    return { h, tag: tag.body.id as string };
  }

  it("create - a relation to nothing is VALIDATION_FAILED naming each field, and writes nothing", async () => {
    const { h, tag } = await setUp();
    const answer = await h.call("POST", "/api/collections/tasks/records", {
      token: h.superuser.token,
      body: { n: 1, owner: "nobody", parent: "none", tags: [tag, "missing"] },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("VALIDATION_FAILED");
    expect(Object.keys(answer.body.data).sort()).toEqual(["owner", "parent", "tags"]);
    expect(answer.body.data.owner.code).toBe("missing_relation");
    expect(await h.db.prisma.record.count({ where: { collection: { name: "tasks" } } })).toBe(0);
    expect(await h.db.prisma.outboxEvent.count({ where: { collectionName: "tasks" } })).toBe(0);
  });

  it("create - relations that exist are accepted, the record and its event written together", async () => {
    const { h, tag } = await setUp();
    const first = await h.call("POST", "/api/collections/tasks/records", {
      token: h.superuser.token,
      body: { n: 1, owner: h.superuser.user.id, tags: [tag] },
    });
    expect(first.status).toBe(201);
    const second = await h.call("POST", "/api/collections/tasks/records", {
      token: h.superuser.token,
      body: { n: 2, parent: first.body.id },
    });
    expect(second.status).toBe(201);
    expect(await eventsOf(h, second.body.id)).toEqual([
      { action: "created", n: 2, oldN: undefined },
    ]);
  });

  it("update - only the relations written are checked; a missing one leaves the record as it was", async () => {
    const { h, tag } = await setUp();
    const created = await h.call("POST", "/api/collections/tasks/records", {
      token: h.superuser.token,
      body: { n: 1, tags: [tag] },
    });
    const url = `/api/collections/tasks/records/${created.body.id}`;
    await h.call("DELETE", `/api/collections/tags/records/${tag}`, { token: h.superuser.token });
    // The stored tag now points to nothing, but this update does not write it.
    expect((await h.call("PATCH", url, { token: h.superuser.token, body: { n: 2 } })).status).toBe(
      200,
    );
    const refused = await h.call("PATCH", url, {
      token: h.superuser.token,
      body: { n: 3, owner: "nobody" },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.data.owner.code).toBe("missing_relation");
    expect((await h.call("GET", url, { token: h.superuser.token })).body.n).toBe(2);
    expect(await eventsOf(h, created.body.id)).toEqual([
      { action: "created", n: 1, oldN: undefined },
      { action: "updated", n: 2, oldN: 1 },
    ]);
  });

  it("update and delete events carry the record exactly as stored and as it was before", async () => {
    const h = harness();
    await h.collection({
      name: "notes",
      fields: [
        { name: "title", type: "text", required: true },
        { name: "when", type: "date" },
        { name: "meta", type: "json" },
        { name: "done", type: "bool" },
        { name: "secret", type: "text", hidden: true },
      ],
      updateRule: "",
      deleteRule: "",
    });
    const token = h.superuser.token;
    const created = await h.call("POST", "/api/collections/notes/records", {
      token,
      body: { title: "a", meta: { deep: [1, "x"] }, secret: "s" },
    });
    const url = `/api/collections/notes/records/${created.body.id}`;
    const updated = await h.call("PATCH", url, {
      token,
      body: { when: "2026-01-02T03:04:05.678Z", done: true },
    });
    expect(updated.status).toBe(200);
    const stored = await h.db.prisma.record.findFirstOrThrow({ where: { id: created.body.id } });
    await h.call("DELETE", url, { token });
    const rows = await h.db.prisma.outboxEvent.findMany({
      where: { recordId: created.body.id },
      orderBy: { seq: "asc" },
    });
    const full = (data: object, at: { created: Date; updated: Date }) => ({
      id: created.body.id,
      collectionId: created.body.collectionId,
      collectionName: "notes",
      created: at.created.toISOString(),
      updated: at.updated.toISOString(),
      title: null,
      when: null,
      meta: null,
      done: null,
      secret: null,
      ...data,
    });
    const before = full(
      { title: "a", meta: { deep: [1, "x"] }, secret: "s" },
      {
        created: stored.created,
        updated: new Date(created.body.updated),
      },
    );
    const after = full(stored.data as object, stored);
    expect(after).toMatchObject({ when: "2026-01-02T03:04:05.678Z", done: true, secret: "s" });
    expect(rows.map((row) => row.action)).toEqual(["created", "updated", "deleted"]);
    expect(rows[1]?.oldRecord).toEqual(before);
    expect(rows[1]?.record).toEqual(after);
    expect(rows[2]?.record).toEqual(after);
    expect(rows[2]?.oldRecord).toBeNull();
  });

  it("update - a required field left empty in the stored record is refused, as before the change", async () => {
    const h = harness();
    await h.collection({ name: "plain", fields: [{ name: "a", type: "text" }], updateRule: "" });
    const created = await h.call("POST", "/api/collections/plain/records", {
      token: h.superuser.token,
      body: { a: "x" },
    });
    await h.call("PATCH", "/api/collections/plain", {
      token: h.superuser.token,
      body: {
        fields: [
          { name: "a", type: "text" },
          { name: "b", type: "text", required: true },
        ],
      },
    });
    const refused = await h.call("PATCH", `/api/collections/plain/records/${created.body.id}`, {
      token: h.superuser.token,
      body: { a: "y" },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.data.b.code).toBe("required");
  });

  it("concurrent updates of one record all apply, each event's old record the one before it", async () => {
    const { h } = await setUp();
    const created = await h.call("POST", "/api/collections/tasks/records", {
      token: h.superuser.token,
      body: { n: 0 },
    });
    const url = `/api/collections/tasks/records/${created.body.id}`;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.call("PATCH", url, { token: h.superuser.token, body: { n: i + 1 } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    const events = await eventsOf(h, created.body.id);
    expect(events).toHaveLength(13);
    for (let i = 1; i < events.length; i++) expect(events[i]!.oldN).toBe(events[i - 1]!.n);
    const row = await h.db.prisma.record.findFirstOrThrow({ where: { id: created.body.id } });
    expect(row.version).toBe(13);
    expect((row.data as { n: number }).n).toBe(events.at(-1)!.n);
  });

  it("an update racing a delete: the delete's event carries the last state, nothing after it", async () => {
    const { h } = await setUp();
    const created = await h.call("POST", "/api/collections/tasks/records", {
      token: h.superuser.token,
      body: { n: 0 },
    });
    const url = `/api/collections/tasks/records/${created.body.id}`;
    const [update, remove] = await Promise.all([
      h.call("PATCH", url, { token: h.superuser.token, body: { n: 1 } }),
      h.call("DELETE", url, { token: h.superuser.token }),
    ]);
    expect(remove.status).toBe(204);
    expect([200, 404]).toContain(update.status);
    const events = await eventsOf(h, created.body.id);
    expect(events.at(-1)?.action).toBe("deleted");
    expect(events.at(-1)?.n).toBe(update.status === 200 ? 1 : 0);
    expect(events).toHaveLength(update.status === 200 ? 3 : 2);
  });
});
