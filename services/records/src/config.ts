import {
  type BusSettings,
  busEnv,
  busSettingsFrom,
  ConfigError,
  type CorsOrigins,
  corsEnv,
  envValue,
  parseEnv,
} from "@tidings/service";
import { z } from "zod";

/** Environment variables the records service reads, each with its default. */
export const recordsEnv = {
  /** HTTP port. */
  TIDINGS_PORT: envValue.port(8090),
  /** Interface to listen on; 0.0.0.0 in containers. */
  TIDINGS_HOST: z.string().min(1).default("127.0.0.1"),
  /** postgres:// URL. Unset: embedded PGlite in TIDINGS_DATA_DIR (single node). */
  TIDINGS_DATABASE_URL: envValue.url(["postgres:", "postgresql:"]),
  /** Connections in the PostgreSQL pool. */
  TIDINGS_DATABASE_POOL_SIZE: envValue.int(10, 1, 500),
  /** Folder for embedded data (PGlite, the generated JWT secret). */
  TIDINGS_DATA_DIR: z.string().min(1).default("./.tidings"),
  ...busEnv,
  /** HS256 secret for the tokens Tidings issues (32+ characters). Unset in single-node mode: generated once and kept in the data dir. */
  TIDINGS_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** JWKS URL of an identity provider whose RS256/ES256 tokens are also accepted. */
  TIDINGS_JWT_JWKS_URL: envValue.url(["https:", "http:"]),
  /** Required `iss` of identity-provider tokens. */
  TIDINGS_JWT_ISSUER: z.string().min(1).optional(),
  /** Required `aud` of identity-provider tokens. */
  TIDINGS_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Lifetime of issued tokens, in seconds (default 7 days). */
  TIDINGS_TOKEN_TTL: envValue.int(604_800, 60, 31_536_000),
  /** Superuser created or updated at start-up. */
  TIDINGS_SUPERUSER_EMAIL: z.email().optional(),
  TIDINGS_SUPERUSER_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
  /** Largest accepted request body, in bytes. */
  TIDINGS_BODY_LIMIT: envValue.int(1_048_576, 1_024, 104_857_600),
  /** Requests per minute per client address on the auth endpoints. */
  TIDINGS_AUTH_RATE_LIMIT: envValue.int(30, 1, 100_000),
  /** Port of the internal gRPC publish API (tidings.v1.Publisher), on TIDINGS_HOST. Unset: TIDINGS_PORT + 1 (0 when TIDINGS_PORT is 0). */
  TIDINGS_GRPC_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Comma-separated tokens (32+ characters each) of the services allowed to publish events. Unset: the internal API refuses every request. */
  TIDINGS_SERVICE_TOKENS: envValue
    .list()
    .unwrap()
    .refine((tokens) => tokens.every((token) => token.length >= 32), {
      message: "each token must be at least 32 characters",
    })
    .optional(),
  /** Trust X-Forwarded-* from a proxy in front (for client addresses in rate limits). */
  TIDINGS_TRUST_PROXY: envValue.bool(false),
  ...corsEnv,
  TIDINGS_LOG_LEVEL: envValue.logLevel(),
};

/** Where the records live. */
export type DatabaseConfig = { url: string; poolSize: number } | { dataDir: string };

/** Validated configuration of the records service. */
export interface RecordsConfig {
  port: number;
  host: string;
  grpcPort: number;
  /** Tokens of the services that may use the internal publish API; empty = none may. */
  serviceTokens: string[];
  database: DatabaseConfig;
  dataDir: string;
  /** The event bus the outbox relay publishes to. */
  bus: BusSettings;
  jwt: {
    /** Undefined only in single-node mode, where the data dir supplies it. */
    secret: string | undefined;
    jwksUrl: string | undefined;
    issuer: string | undefined;
    audience: string | undefined;
    ttlSeconds: number;
  };
  superuser: { email: string; password: string } | undefined;
  bodyLimit: number;
  authRateLimit: number;
  trustProxy: boolean;
  /** Origins whose browser pages may call the HTTP API and connect to the realtime endpoints. */
  corsOrigins: CorsOrigins;
  logLevel: string;
  /** TIDINGS_* variables nobody reads (likely typos). */
  unknownVariables: string[];
}

/** Reads and checks the records service configuration; throws ConfigError naming the bad variables. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  extraShape: z.ZodRawShape = {},
): RecordsConfig {
  const { values: v, unknown } = parseEnv({ ...recordsEnv, ...extraShape }, env);
  const problems: string[] = [];
  if (v.TIDINGS_DATABASE_URL && !v.TIDINGS_JWT_SECRET) {
    problems.push(
      "TIDINGS_JWT_SECRET: required when TIDINGS_DATABASE_URL is set, so every replica signs tokens alike",
    );
  }
  if (Boolean(v.TIDINGS_SUPERUSER_EMAIL) !== Boolean(v.TIDINGS_SUPERUSER_PASSWORD)) {
    problems.push("TIDINGS_SUPERUSER_EMAIL and TIDINGS_SUPERUSER_PASSWORD: set both or neither");
  }
  if ((v.TIDINGS_JWT_ISSUER || v.TIDINGS_JWT_AUDIENCE) && !v.TIDINGS_JWT_JWKS_URL) {
    problems.push(
      "TIDINGS_JWT_JWKS_URL: required when TIDINGS_JWT_ISSUER or TIDINGS_JWT_AUDIENCE is set",
    );
  }
  // Derived from the HTTP port, so a second instance on another TIDINGS_PORT needs nothing more.
  const grpcPort = v.TIDINGS_GRPC_PORT ?? (v.TIDINGS_PORT === 0 ? 0 : v.TIDINGS_PORT + 1);
  if (grpcPort > 65_535)
    problems.push("TIDINGS_GRPC_PORT: set it (TIDINGS_PORT + 1, its default, is not a port)");
  if (problems.length > 0)
    throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  return {
    port: v.TIDINGS_PORT,
    host: v.TIDINGS_HOST,
    grpcPort,
    serviceTokens: v.TIDINGS_SERVICE_TOKENS ?? [],
    database: v.TIDINGS_DATABASE_URL
      ? { url: v.TIDINGS_DATABASE_URL, poolSize: v.TIDINGS_DATABASE_POOL_SIZE }
      : { dataDir: v.TIDINGS_DATA_DIR },
    dataDir: v.TIDINGS_DATA_DIR,
    bus: busSettingsFrom(v),
    jwt: {
      secret: v.TIDINGS_JWT_SECRET,
      jwksUrl: v.TIDINGS_JWT_JWKS_URL,
      issuer: v.TIDINGS_JWT_ISSUER,
      audience: v.TIDINGS_JWT_AUDIENCE,
      ttlSeconds: v.TIDINGS_TOKEN_TTL,
    },
    superuser:
      v.TIDINGS_SUPERUSER_EMAIL && v.TIDINGS_SUPERUSER_PASSWORD
        ? { email: v.TIDINGS_SUPERUSER_EMAIL, password: v.TIDINGS_SUPERUSER_PASSWORD }
        : undefined,
    bodyLimit: v.TIDINGS_BODY_LIMIT,
    authRateLimit: v.TIDINGS_AUTH_RATE_LIMIT,
    trustProxy: v.TIDINGS_TRUST_PROXY,
    corsOrigins: v.TIDINGS_CORS_ORIGINS,
    logLevel: v.TIDINGS_LOG_LEVEL,
    unknownVariables: unknown,
  };
}
