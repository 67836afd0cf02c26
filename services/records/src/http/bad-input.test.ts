import { describe, expect, it } from "vitest";
import { useRecordsHarness } from "../testing/records-harness.ts";

const open = {
  name: "notes",
  fields: [{ name: "title", type: "text" }],
  listRule: "",
  viewRule: "",
  createRule: "",
  updateRule: "",
  deleteRule: "",
};

describe.each(["postgres", "pglite"] as const)("bad input on %s", (backend) => {
  const h = useRecordsHarness(backend, { bodyLimit: 2048 });

  async function unchanged(run: () => Promise<void>) {
    const { db } = h();
    const before = [
      await db.prisma.record.count(),
      await db.prisma.outboxEvent.count(),
      await db.prisma.collection.count(),
    ];
    await run();
    expect([
      await db.prisma.record.count(),
      await db.prisma.outboxEvent.count(),
      await db.prisma.collection.count(),
    ]).toEqual(before);
  }

  it("malformed JSON is INVALID_JSON", async () => {
    const { app, collection } = h();
    await collection(open);
    await unchanged(async () => {
      const response = await app.inject({
        method: "POST",
        url: "/api/collections/notes/records",
        headers: { "content-type": "application/json" },
        payload: '{"title": "x",',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ status: 400, code: "INVALID_JSON", data: {} });
    });
  });

  it("an oversized body is PAYLOAD_TOO_LARGE", async () => {
    const { call, collection } = h();
    await collection(open);
    await unchanged(async () => {
      const answer = await call("POST", "/api/collections/notes/records", {
        body: { title: "x".repeat(5000) },
      });
      expect(answer.status).toBe(413);
      expect(answer.body.code).toBe("PAYLOAD_TOO_LARGE");
    });
  });

  it("a body that is not JSON is UNSUPPORTED_MEDIA_TYPE", async () => {
    const { app, collection } = h();
    await collection(open);
    await unchanged(async () => {
      const response = await app.inject({
        method: "POST",
        url: "/api/collections/notes/records",
        headers: { "content-type": "text/xml" },
        payload: "<title/>",
      });
      expect(response.statusCode).toBe(415);
      expect(response.json().code).toBe("UNSUPPORTED_MEDIA_TYPE");
    });
  });

  it("a bad filter is INVALID_FILTER with the position", async () => {
    const { call, collection } = h();
    await collection(open);
    const answer = await call(
      "GET",
      `/api/collections/notes/records?filter=${encodeURIComponent("title = 'x' && (")}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("INVALID_FILTER");
    expect(answer.body.data.position).toBeGreaterThanOrEqual(13);
    expect(answer.body.message).toMatch(/\d/);
    const unknown = await call(
      "GET",
      `/api/collections/notes/records?filter=${encodeURIComponent("nope = 1")}`,
    );
    expect(unknown.body).toMatchObject({ code: "INVALID_FILTER", data: { position: 0 } });
  });

  it("bad paging and a bad X-Socket-Id are VALIDATION_FAILED", async () => {
    const { call, collection } = h();
    await collection(open);
    for (const query of ["page=0", "perPage=-1", "page=abc", "perPage=1.5", "skipTotal=maybe"]) {
      const answer = await call("GET", `/api/collections/notes/records?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.code).toBe("VALIDATION_FAILED");
    }
    await unchanged(async () => {
      const answer = await call("POST", "/api/collections/notes/records", {
        body: { title: "x" },
        headers: { "x-socket-id": "bad id with spaces" },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe("VALIDATION_FAILED");
    });
  });

  it("unknown routes are NOT_FOUND in the error shape, without internals", async () => {
    const answer = await h().call("GET", "/api/nothing/here");
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      status: 404,
      code: "NOT_FOUND",
      message: "No route for GET /api/nothing/here.",
      data: {},
    });
  });
});
