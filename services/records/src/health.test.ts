import { openTestDatabase } from "@tidings/db/testing";
import { createLifecycle } from "@tidings/service";
import { describe, expect, it } from "vitest";
import { buildApp } from "./app.ts";
import { TEST_APP_OPTIONS } from "./testing/records-harness.ts";

describe("health", () => {
  it("healthz is up; readyz follows the database and draining", async () => {
    await using db = await openTestDatabase("postgres");
    const lifecycle = createLifecycle();
    const app = await buildApp(TEST_APP_OPTIONS, { db, lifecycle });
    try {
      expect((await app.inject("/healthz")).json()).toEqual({ status: "ok" });
      expect((await app.inject("/readyz")).json()).toEqual({ status: "ready" });
      lifecycle.startDraining();
      expect((await app.inject("/readyz")).statusCode).toBe(503);
      const refused = await app.inject("/api/collections");
      expect(refused.statusCode).toBe(503);
      expect(refused.json().code).toBe("UNAVAILABLE");
    } finally {
      await app.close();
    }
  });

  it("readyz fails, naming the database, when the database is gone", async () => {
    const db = await openTestDatabase("postgres");
    const app = await buildApp(TEST_APP_OPTIONS, { db });
    try {
      await db.close();
      const answer = await app.inject("/readyz");
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toEqual({ status: "unavailable", failed: ["database"] });
    } finally {
      await app.close();
    }
  });
});
