import { openDatabase } from "@tidings/db";
import {
  eventually,
  TEST_NATS_URL,
  TEST_REDIS_URL,
  withNats,
  withPostgres,
} from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { loadEvaluatorConfig } from "./config.ts";
import { startEvaluator } from "./start-evaluator.ts";

describe("evaluator process", () => {
  it("refuses to start without PostgreSQL, NATS and Redis, naming each", () => {
    expect(() => loadEvaluatorConfig({})).toThrow(
      /TIDINGS_DATABASE_URL[\s\S]*TIDINGS_NATS_URL[\s\S]*TIDINGS_REDIS_URL/,
    );
  });

  const configFor = (databaseUrl: string, natsPrefix: string) =>
    loadEvaluatorConfig({
      TIDINGS_DATABASE_URL: databaseUrl,
      TIDINGS_NATS_URL: TEST_NATS_URL,
      TIDINGS_NATS_PREFIX: natsPrefix,
      TIDINGS_REDIS_URL: TEST_REDIS_URL,
      TIDINGS_LOG_LEVEL: "silent",
    });

  it("refuses a database the records service has not migrated yet, and changes nothing", async () => {
    await using pg = await withPostgres();
    await using nats = await withNats();
    await expect(startEvaluator(configFor(pg.url, nats.prefix))).rejects.toThrow(
      /schema is behind this version.*records service/,
    );
    // Nothing was created: the records service still applies every migration.
    const db = await openDatabase({ url: pg.url, poolSize: 1 });
    try {
      expect(db.appliedMigrations.length).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });

  it("starts from its environment and reports ready, then stops", async () => {
    await using pg = await withPostgres();
    await using nats = await withNats();
    // The records service applies the schema first.
    await (await openDatabase({ url: pg.url, poolSize: 1 })).close();
    const config = configFor(pg.url, nats.prefix);
    const running = await startEvaluator(config);
    try {
      expect((await running.health.inject("/readyz")).json()).toEqual({ status: "ready" });
      await eventually(() => expect(running.evaluator.owned().length).toBeGreaterThan(0));
    } finally {
      await running.stop();
    }
  });
});
