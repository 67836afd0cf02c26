import { openDatabase } from "@tidings/db";
import { startPostgresServer } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { buildApp } from "./app.ts";
import { recordsHarness, TEST_APP_OPTIONS, testPasswordHash } from "./testing/records-harness.ts";

describe("PostgreSQL briefly unavailable", () => {
  it("requests fail cleanly with 503 UNAVAILABLE, nothing is half-done, and service resumes", async () => {
    await using server = await startPostgresServer();
    const db = await openDatabase({ url: server.url, poolSize: 2 });
    const app = await buildApp(TEST_APP_OPTIONS, { db });
    try {
      const h = await recordsHarness(app, db, TEST_APP_OPTIONS, await testPasswordHash());
      await h.collection({
        name: "notes",
        fields: [{ name: "n", type: "number" }],
        listRule: "",
        createRule: "",
      });
      expect(
        (await h.call("POST", "/api/collections/notes/records", { body: { n: 1 } })).status,
      ).toBe(201);
      await server.stop();
      for (const [method, url, token] of [
        ["POST", "/api/collections/notes/records", undefined],
        ["GET", "/api/collections/notes/records", undefined],
        // The token cannot be checked either: that is no reason to call it invalid.
        ["GET", "/api/collections/notes/records", h.superuser.token],
      ] as const) {
        const answer = await h.call(method, url, {
          body: method === "POST" ? { n: 2 } : undefined,
          token,
        });
        expect(answer.status, `${method} ${url}${token ? " with a token" : ""}`).toBe(503);
        expect(answer.body).toMatchObject({ status: 503, code: "UNAVAILABLE" });
      }
      expect((await app.inject("/readyz")).statusCode).toBe(503);
      await server.start();
      let answer = await h.call("POST", "/api/collections/notes/records", { body: { n: 3 } });
      for (let i = 0; i < 20 && answer.status !== 201; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        answer = await h.call("POST", "/api/collections/notes/records", { body: { n: 3 } });
      }
      expect(answer.status).toBe(201);
      const records = await db.prisma.record.findMany();
      expect(records.map((r) => (r.data as { n: number }).n).sort()).toEqual([1, 3]);
      expect(await db.prisma.outboxEvent.count()).toBe(2);
    } finally {
      await app.close();
      await db.close();
    }
  });
});
