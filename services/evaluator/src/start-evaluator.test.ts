import { TEST_NATS_URL, TEST_REDIS_URL, withNats, withPostgres } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { loadEvaluatorConfig } from "./config.ts";
import { startEvaluator } from "./start-evaluator.ts";
import { eventually } from "./testing/eventually.ts";

describe("evaluator process", () => {
  it("refuses to start without PostgreSQL, NATS and Redis, naming each", () => {
    expect(() => loadEvaluatorConfig({})).toThrow(
      /TIDINGS_DATABASE_URL[\s\S]*TIDINGS_NATS_URL[\s\S]*TIDINGS_REDIS_URL/,
    );
  });

  it("starts from its environment and reports ready, then stops", async () => {
    await using pg = await withPostgres();
    await using nats = await withNats();
    const config = loadEvaluatorConfig({
      TIDINGS_DATABASE_URL: pg.url,
      TIDINGS_NATS_URL: TEST_NATS_URL,
      TIDINGS_NATS_PREFIX: nats.prefix,
      TIDINGS_REDIS_URL: TEST_REDIS_URL,
      TIDINGS_LOG_LEVEL: "silent",
    });
    const running = await startEvaluator(config);
    try {
      expect((await running.health.inject("/readyz")).json()).toEqual({ status: "ready" });
      await eventually(() => expect(running.evaluator.owned().length).toBeGreaterThan(0));
    } finally {
      await running.stop();
    }
  });
});
