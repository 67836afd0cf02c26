import { ConfigError, loadNodeConfig, parseEnv } from "@tidings/service";
import { describe, expect, it } from "vitest";
import { DEFAULT_GATEWAY_CONFIG, gatewayConfigFrom, gatewayEnv } from "./config.ts";

// A gateway reads the settings every node shares and its own, as its main.ts does.
const load = (env: NodeJS.ProcessEnv) => loadNodeConfig(env, gatewayEnv);

describe("gateway configuration", () => {
  it("reports a variable only the records service reads as unknown", () => {
    const config = load({
      TIDINGS_SUPERUSER_EMAIL: "admin@example.com",
      TIDINGS_GRPC_PORT: "9000",
      TIDINGS_REDIS_PREFIX: "tid",
    });
    expect(config.unknownVariables.sort()).toEqual([
      "TIDINGS_GRPC_PORT",
      "TIDINGS_SUPERUSER_EMAIL",
    ]);
  });

  it("checks the shared settings as records does: a cluster needs the shared JWT secret", () => {
    expect(() => load({ TIDINGS_DATABASE_URL: "postgres://127.0.0.1/x" })).toThrow(ConfigError);
    expect(() => load({ TIDINGS_DATABASE_URL: "postgres://127.0.0.1/x" })).toThrow(
      /TIDINGS_JWT_SECRET: required/,
    );
    const config = load({
      TIDINGS_DATABASE_URL: "postgres://127.0.0.1/x",
      TIDINGS_JWT_SECRET: "s".repeat(32),
      TIDINGS_PORT: "9100",
    });
    expect(config).toMatchObject({
      port: 9100,
      database: { url: "postgres://127.0.0.1/x", poolSize: 10 },
      jwt: { secret: "s".repeat(32) },
    });
  });

  it("reads the JSON depth limit it shares with the records service, within 16 to 1,000", () => {
    expect(DEFAULT_GATEWAY_CONFIG.jsonMaxDepth).toBe(256);
    const config = gatewayConfigFrom(parseEnv(gatewayEnv, { TIDINGS_JSON_MAX_DEPTH: "64" }).values);
    expect(config.jsonMaxDepth).toBe(64);
    expect(() => load({ TIDINGS_JSON_MAX_DEPTH: "5000" })).toThrow(/TIDINGS_JSON_MAX_DEPTH/);
    expect(load({ TIDINGS_JSON_MAX_DEPTH: "64" }).unknownVariables).toEqual([]);
  });
});
