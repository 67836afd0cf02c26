import { describe, expect, it } from "vitest";
import { type RecordsHarness, useRecordsHarness } from "../testing/records-harness.ts";

const notes = {
  name: "notes",
  fields: [
    { name: "title", type: "text", required: true },
    { name: "score", type: "number" },
    { name: "done", type: "bool" },
    { name: "due", type: "date" },
    { name: "meta", type: "json" },
    { name: "pin", type: "text", hidden: true },
    { name: "owner", type: "relation", collection: "users" },
    { name: "tags", type: "relation", collection: "tags", multiple: true },
  ],
  listRule: "",
  viewRule: "",
  createRule: "",
  updateRule: "",
  deleteRule: "",
};

async function seed(h: RecordsHarness, count: number) {
  await h.collection({ name: "tags", fields: [{ name: "label", type: "text" }], createRule: "" });
  await h.collection(notes);
  const created = [];
  for (let i = 0; i < count; i += 1) {
    const answer = await h.call("POST", "/api/collections/notes/records", {
      body: { title: `note ${i}`, score: i, done: i % 2 === 0, pin: `pin-${i}` },
    });
    created.push(answer.body);
  }
  return created;
}

describe.each(["postgres", "pglite"] as const)("records on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("create - stores typed values and answers the record without hidden fields", async () => {
    const harness = h();
    await seed(harness, 0);
    const answer = await harness.call("POST", "/api/collections/notes/records", {
      body: {
        title: "hello",
        score: 2.5,
        done: true,
        due: "2026-03-01 10:00:00Z",
        meta: { a: [1, null] },
        pin: "1234",
        owner: harness.superuser.user.id,
      },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      collectionName: "notes",
      title: "hello",
      score: 2.5,
      done: true,
      due: "2026-03-01T10:00:00.000Z",
      meta: { a: [1, null] },
      owner: harness.superuser.user.id,
      tags: null,
    });
    expect(answer.body).not.toHaveProperty("pin");
    expect(answer.body.id).toMatch(/^[a-z0-9]{15}$/);
    expect(answer.body.created).toBe(answer.body.updated);
    const stored = await harness.db.prisma.record.findFirstOrThrow({
      where: { id: answer.body.id },
    });
    expect(stored.data).toMatchObject({ pin: "1234" });
  });

  it("view, update and delete one record", async () => {
    const harness = h();
    const [first] = await seed(harness, 1);
    const url = `/api/collections/notes/records/${first.id}`;
    expect((await harness.call("GET", url)).body).toMatchObject({ id: first.id, title: "note 0" });
    const updated = await harness.call("PATCH", url, { body: { score: 99, done: null } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: first.id, title: "note 0", score: 99, done: null });
    expect(updated.body).not.toHaveProperty("pin");
    expect(Date.parse(updated.body.updated)).toBeGreaterThanOrEqual(Date.parse(first.updated));
    const row = await harness.db.prisma.record.findFirstOrThrow({ where: { id: first.id } });
    expect(row.version).toBe(2);
    expect(row.data).toMatchObject({ pin: "pin-0" });
    expect((await harness.call("DELETE", url)).status).toBe(204);
    expect((await harness.call("GET", url)).status).toBe(404);
    expect((await harness.call("DELETE", url)).status).toBe(404);
  });

  it("create - takes a client id once; a second use is CONFLICT", async () => {
    const harness = h();
    await seed(harness, 0);
    const first = await harness.call("POST", "/api/collections/notes/records", {
      body: { id: "my-id_1", title: "a" },
    });
    expect(first.status).toBe(201);
    expect(first.body.id).toBe("my-id_1");
    const second = await harness.call("POST", "/api/collections/notes/records", {
      body: { id: "my-id_1", title: "b" },
    });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe("CONFLICT");
    expect(await harness.db.prisma.record.count()).toBe(1);
  });

  it("create/update - wrong types, unknown fields and missing required values are all reported", async () => {
    const harness = h();
    const [first] = await seed(harness, 1);
    const bad = await harness.call("POST", "/api/collections/notes/records", {
      body: {
        score: "7",
        done: "yes",
        due: "tomorrow",
        owner: 5,
        tags: "x",
        extra: 1,
        id: "no spaces",
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("VALIDATION_FAILED");
    expect(Object.keys(bad.body.data).sort()).toEqual([
      "done",
      "due",
      "extra",
      "id",
      "owner",
      "score",
      "tags",
      "title",
    ]);
    expect(bad.body.data.title.code).toBe("required");
    expect(bad.body.data.extra.code).toBe("unknown_field");
    const clearRequired = await harness.call(
      "PATCH",
      `/api/collections/notes/records/${first.id}`,
      { body: { title: "" } },
    );
    expect(clearRequired.body.data.title.code).toBe("required");
    const notObject = await harness.call("POST", "/api/collections/notes/records", {
      body: [1, 2],
    });
    expect(notObject.body.code).toBe("VALIDATION_FAILED");
    expect(await harness.db.prisma.record.count()).toBe(1);
  });

  it("create - relations must point at existing records", async () => {
    const harness = h();
    await seed(harness, 0);
    const tag = await harness.call("POST", "/api/collections/tags/records", {
      body: { label: "red" },
    });
    const missing = await harness.call("POST", "/api/collections/notes/records", {
      body: { title: "x", owner: "nobody", tags: [tag.body.id, "ghost"] },
    });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.data).sort()).toEqual(["owner", "tags"]);
    const ok = await harness.call("POST", "/api/collections/notes/records", {
      body: { title: "x", tags: [tag.body.id, tag.body.id] },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.tags).toEqual([tag.body.id]);
  });

  it("list - pages with totals, and caps perPage at 1000", async () => {
    const harness = h();
    await seed(harness, 5);
    const page2 = await harness.call("GET", "/api/collections/notes/records?page=2&perPage=2");
    expect(page2.body).toMatchObject({ page: 2, perPage: 2, totalItems: 5, totalPages: 3 });
    expect(page2.body.items.map((r: { title: string }) => r.title)).toEqual(["note 2", "note 3"]);
    for (const item of page2.body.items) expect(item).not.toHaveProperty("pin");
    const beyond = await harness.call("GET", "/api/collections/notes/records?page=9&perPage=2");
    expect(beyond.body.items).toEqual([]);
    const skip = await harness.call("GET", "/api/collections/notes/records?skipTotal=1");
    expect(skip.body).toMatchObject({ perPage: 30, totalItems: -1, totalPages: -1 });
    expect(skip.body.items).toHaveLength(5);
    const capped = await harness.call("GET", "/api/collections/notes/records?perPage=5000");
    expect(capped.body.perPage).toBe(1000);
  });

  it("list - filters and sorts", async () => {
    const harness = h();
    await seed(harness, 6);
    const answer = await harness.call(
      "GET",
      `/api/collections/notes/records?filter=${encodeURIComponent("score >= 2 && done = true")}&sort=-score`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((r: { score: number }) => r.score)).toEqual([4, 2]);
    expect(answer.body.totalItems).toBe(2);
    const byTitle = await harness.call(
      "GET",
      `/api/collections/notes/records?filter=${encodeURIComponent("title ~ 'note 1'")}`,
    );
    expect(byTitle.body.items.map((r: { title: string }) => r.title)).toEqual(["note 1"]);
  });

  it("list - clients cannot filter or sort on hidden fields; superusers can", async () => {
    const harness = h();
    await seed(harness, 3);
    const probe = await harness.call(
      "GET",
      `/api/collections/notes/records?filter=${encodeURIComponent("pin = 'pin-1'")}`,
    );
    expect(probe.status).toBe(400);
    expect(probe.body.code).toBe("INVALID_FILTER");
    const sort = await harness.call("GET", "/api/collections/notes/records?sort=pin");
    expect(sort.body.code).toBe("INVALID_SORT");
    const su = await harness.call(
      "GET",
      `/api/collections/notes/records?filter=${encodeURIComponent("pin = 'pin-1'")}`,
      { token: harness.superuser.token },
    );
    expect(su.body.items.map((r: { title: string }) => r.title)).toEqual(["note 1"]);
    expect(su.body.items[0]).not.toHaveProperty("pin");
  });

  it("unknown collection is NOT_FOUND for every route", async () => {
    const { call } = h();
    for (const [method, url] of [
      ["GET", "/api/collections/ghosts/records"],
      ["GET", "/api/collections/ghosts/records/x"],
      ["POST", "/api/collections/ghosts/records"],
      ["PATCH", "/api/collections/ghosts/records/x"],
      ["DELETE", "/api/collections/ghosts/records/x"],
    ] as const) {
      const answer = await call(method, url, {
        body: method === "POST" || method === "PATCH" ? {} : undefined,
      });
      expect(answer.status, `${method} ${url}`).toBe(404);
      expect(answer.body.code).toBe("NOT_FOUND");
    }
  });
});
