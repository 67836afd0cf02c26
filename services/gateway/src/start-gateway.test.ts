import { openDatabase } from "@tidings/db";
import { loadNodeConfig, parseEnv } from "@tidings/service";
import { TEST_NATS_URL, TEST_REDIS_URL, withNats, withPostgres } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { gatewayConfigFrom, gatewayEnv } from "./config.ts";
import { startGateway } from "./start-gateway.ts";

describe("gateway process", () => {
  const start = (databaseUrl: string, natsPrefix: string) => {
    const env = {
      TIDINGS_DATABASE_URL: databaseUrl,
      TIDINGS_JWT_SECRET: "s".repeat(32),
      TIDINGS_NATS_URL: TEST_NATS_URL,
      TIDINGS_NATS_PREFIX: natsPrefix,
      TIDINGS_REDIS_URL: TEST_REDIS_URL,
      TIDINGS_REDIS_PREFIX: natsPrefix,
      TIDINGS_LOG_LEVEL: "silent",
    };
    return startGateway(
      loadNodeConfig(env, gatewayEnv),
      gatewayConfigFrom(parseEnv(gatewayEnv, env).values),
      env,
    );
  };

  it("refuses a database the records service has not migrated yet, then starts once it has", async () => {
    await using pg = await withPostgres();
    await using nats = await withNats();
    await expect(start(pg.url, nats.prefix)).rejects.toThrow(
      /schema is behind this version.*records service/,
    );
    // The records service applies the schema.
    await (await openDatabase({ url: pg.url, poolSize: 1 })).close();
    const running = await start(pg.url, nats.prefix);
    try {
      expect((await running.app.inject("/readyz")).json()).toEqual({ status: "ready" });
      // Its answers carry the request's id and the security headers, as the records API's do.
      const answer = await running.app.inject({
        url: "/healthz",
        headers: { "x-request-id": "edge-5678" },
      });
      expect(answer.headers).toMatchObject({
        "x-request-id": "edge-5678",
        "x-content-type-options": "nosniff",
      });
    } finally {
      await running.stop();
    }
  });
});
