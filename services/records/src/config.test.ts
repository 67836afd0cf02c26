import { ConfigError } from "@tidings/service";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("runs on embedded defaults with no variables", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8090,
      host: "127.0.0.1",
      database: { dataDir: "./.tidings" },
      bus: { natsUrl: undefined, prefix: "tidings", partitions: 8, eventsMaxAgeMs: 86_400_000 },
      jwt: { secret: undefined },
      tokenTtlSeconds: 604_800,
      superuser: undefined,
      bodyLimit: 1_048_576,
      grpcPort: 8091,
      serviceTokens: [],
      unknownVariables: [],
    });
  });

  it("uses PostgreSQL when a URL is given, and then requires a shared JWT secret", () => {
    expect(() => loadConfig({ TIDINGS_DATABASE_URL: "postgres://127.0.0.1/x" })).toThrow(
      /TIDINGS_JWT_SECRET: required/,
    );
    const config = loadConfig({
      TIDINGS_DATABASE_URL: "postgres://127.0.0.1/x",
      TIDINGS_JWT_SECRET: "s".repeat(32),
    });
    expect(config.database).toEqual({ url: "postgres://127.0.0.1/x", poolSize: 10, migrate: true });
  });

  it("takes a direct URL for sessions behind a pooler, and can leave the migrations to the Job", () => {
    const config = loadConfig({
      TIDINGS_DATABASE_URL: "postgres://pgbouncer/x",
      TIDINGS_DATABASE_DIRECT_URL: "postgres://postgres/x",
      TIDINGS_DATABASE_MIGRATE: "false",
      TIDINGS_JWT_SECRET: "s".repeat(32),
    });
    expect(config.database).toEqual({
      url: "postgres://pgbouncer/x",
      directUrl: "postgres://postgres/x",
      poolSize: 10,
      migrate: false,
    });
    expect(() => loadConfig({ TIDINGS_DATABASE_DIRECT_URL: "postgres://postgres/x" })).toThrow(
      /TIDINGS_DATABASE_DIRECT_URL: only used with TIDINGS_DATABASE_URL/,
    );
  });

  it("serves gRPC next to the HTTP port unless told otherwise", () => {
    expect(loadConfig({ TIDINGS_PORT: "9000" }).grpcPort).toBe(9001);
    expect(loadConfig({ TIDINGS_PORT: "0" }).grpcPort).toBe(0);
    expect(loadConfig({ TIDINGS_PORT: "9000", TIDINGS_GRPC_PORT: "7000" }).grpcPort).toBe(7000);
    expect(() => loadConfig({ TIDINGS_PORT: "65535" })).toThrow(
      /TIDINGS_GRPC_PORT: set it \(TIDINGS_PORT \+ 1/,
    );
  });

  it("names each bad variable", () => {
    const read = () =>
      loadConfig({
        TIDINGS_PORT: "http",
        TIDINGS_JWT_SECRET: "short",
        TIDINGS_SUPERUSER_EMAIL: "not-an-email",
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      /TIDINGS_PORT[\s\S]*TIDINGS_JWT_SECRET: must be at least 32 characters[\s\S]*TIDINGS_SUPERUSER_EMAIL/,
    );
  });

  it("wants superuser email and password together", () => {
    expect(() => loadConfig({ TIDINGS_SUPERUSER_EMAIL: "a@example.com" })).toThrow(
      /set both or neither/,
    );
    expect(
      loadConfig({
        TIDINGS_SUPERUSER_EMAIL: "a@example.com",
        TIDINGS_SUPERUSER_PASSWORD: "four random words",
      }).superuser,
    ).toEqual({
      email: "a@example.com",
      password: "four random words",
    });
  });

  it("holds the superuser's password to the password policy", () => {
    const superuser =
      (password: string, env: NodeJS.ProcessEnv = {}) =>
      () =>
        loadConfig({
          TIDINGS_SUPERUSER_EMAIL: "a@example.com",
          TIDINGS_SUPERUSER_PASSWORD: password,
          ...env,
        });
    expect(superuser("12345678")).toThrow(/TIDINGS_SUPERUSER_PASSWORD: at least 10 characters/);
    expect(superuser("1234567890")).toThrow(/TIDINGS_SUPERUSER_PASSWORD: too common/);
    expect(superuser("          ")).toThrow(/TIDINGS_SUPERUSER_PASSWORD: not only spaces/);
    expect(superuser("x7#kq2!b", { TIDINGS_PASSWORD_MIN_LENGTH: "8" })().superuser?.password).toBe(
      "x7#kq2!b",
    );
    expect(() => loadConfig({ TIDINGS_PASSWORD_MIN_LENGTH: "4" })).toThrow(
      /TIDINGS_PASSWORD_MIN_LENGTH/,
    );
  });

  it("reads service tokens as a comma-separated list of 32+ character tokens", () => {
    const [a, b] = ["a".repeat(32), "b".repeat(40)];
    expect(loadConfig({ TIDINGS_SERVICE_TOKENS: ` ${a}, ${b} ,` }).serviceTokens).toEqual([a, b]);
    expect(() => loadConfig({ TIDINGS_SERVICE_TOKENS: `${a},short` })).toThrow(
      /TIDINGS_SERVICE_TOKENS: each token must be at least 32 characters/,
    );
  });

  it("reports unknown TIDINGS_ variables", () => {
    expect(loadConfig({ TIDINGS_PROT: "1" }).unknownVariables).toEqual(["TIDINGS_PROT"]);
  });
});
