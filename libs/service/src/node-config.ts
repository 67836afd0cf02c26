import { telemetryEnv } from "@tidings/telemetry";
import { z } from "zod";
import { type BusSettings, busEnv, busSettingsFrom } from "./bus-settings.ts";
import { type CorsOrigins, corsEnv } from "./cors.ts";
import { ConfigError, envValue, parseEnv } from "./env-config.ts";

/** Where the records live. */
export type DatabaseConfig =
  | {
      url: string;
      poolSize: number;
      /** Unpooled URL for session-bound work, when `url` goes through a pooler. */
      directUrl?: string;
      /** Whether this process applies migrations (records) or only checks them. */
      migrate?: boolean;
    }
  | { dataDir: string };

/**
 * Variables every node that serves HTTP and checks tokens reads (records, a gateway, `npm start`),
 * each with its default. Each service adds its own on top, so a variable another service reads is
 * reported as unknown here.
 */
export const nodeEnv = {
  /** HTTP port. */
  TIDINGS_PORT: envValue.port(8090),
  /** Interface to listen on; 0.0.0.0 in containers. */
  TIDINGS_HOST: z.string().min(1).default("127.0.0.1"),
  /** postgres:// URL. Unset: embedded PGlite in TIDINGS_DATA_DIR (single node). */
  TIDINGS_DATABASE_URL: envValue.url(["postgres:", "postgresql:"]),
  /** Connections in the PostgreSQL pool. */
  TIDINGS_DATABASE_POOL_SIZE: envValue.int(10, 1, 500),
  /**
   * Direct postgres:// URL (not through the pooler) for advisory locks, LISTEN and the schema
   * check, when TIDINGS_DATABASE_URL goes through PgBouncer in transaction mode; also turns off
   * named prepared statements on the pooled connections.
   */
  TIDINGS_DATABASE_DIRECT_URL: envValue.url(["postgres:", "postgresql:"]),
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
  /** Trust X-Forwarded-* from a proxy in front (for client addresses in rate limits). */
  TIDINGS_TRUST_PROXY: envValue.bool(false),
  ...corsEnv,
  TIDINGS_LOG_LEVEL: envValue.logLevel(),
  /** One line per HTTP request at info (health probes at debug). */
  TIDINGS_ACCESS_LOG: envValue.bool(true),
  ...telemetryEnv,
};

type NodeValues = z.infer<z.ZodObject<typeof nodeEnv>>;

/** Validated configuration every node shares. */
export interface NodeConfig {
  port: number;
  host: string;
  database: DatabaseConfig;
  dataDir: string;
  /** The event bus. */
  bus: BusSettings;
  /** How tokens are checked (and, by records, signed). */
  jwt: {
    /** Undefined only in single-node mode, where the data dir supplies it. */
    secret: string | undefined;
    jwksUrl: string | undefined;
    issuer: string | undefined;
    audience: string | undefined;
  };
  trustProxy: boolean;
  /** Origins whose browser pages may call the HTTP API and connect to the realtime endpoints. */
  corsOrigins: CorsOrigins;
  logLevel: string;
  /** Whether each HTTP request is logged when its response is sent. */
  accessLog: boolean;
  /** TIDINGS_* variables nobody reads (likely typos). */
  unknownVariables: string[];
}

/** What is wrong across the shared variables, each naming the variable to fix. */
export function nodeProblems(v: NodeValues): string[] {
  const problems: string[] = [];
  if (v.TIDINGS_DATABASE_URL && !v.TIDINGS_JWT_SECRET) {
    problems.push(
      "TIDINGS_JWT_SECRET: required when TIDINGS_DATABASE_URL is set, so every replica signs tokens alike",
    );
  }
  if (v.TIDINGS_DATABASE_DIRECT_URL && !v.TIDINGS_DATABASE_URL) {
    problems.push(
      "TIDINGS_DATABASE_DIRECT_URL: only used with TIDINGS_DATABASE_URL, which is unset",
    );
  }
  if ((v.TIDINGS_JWT_ISSUER || v.TIDINGS_JWT_AUDIENCE) && !v.TIDINGS_JWT_JWKS_URL) {
    problems.push(
      "TIDINGS_JWT_JWKS_URL: required when TIDINGS_JWT_ISSUER or TIDINGS_JWT_AUDIENCE is set",
    );
  }
  return problems;
}

/** The shared configuration from parsed values (check {@link nodeProblems} first). */
export function nodeConfigFrom(v: NodeValues, unknown: string[]): NodeConfig {
  return {
    port: v.TIDINGS_PORT,
    host: v.TIDINGS_HOST,
    database: v.TIDINGS_DATABASE_URL
      ? {
          url: v.TIDINGS_DATABASE_URL,
          poolSize: v.TIDINGS_DATABASE_POOL_SIZE,
          ...(v.TIDINGS_DATABASE_DIRECT_URL ? { directUrl: v.TIDINGS_DATABASE_DIRECT_URL } : {}),
        }
      : { dataDir: v.TIDINGS_DATA_DIR },
    dataDir: v.TIDINGS_DATA_DIR,
    bus: busSettingsFrom(v),
    jwt: {
      secret: v.TIDINGS_JWT_SECRET,
      jwksUrl: v.TIDINGS_JWT_JWKS_URL,
      issuer: v.TIDINGS_JWT_ISSUER,
      audience: v.TIDINGS_JWT_AUDIENCE,
    },
    trustProxy: v.TIDINGS_TRUST_PROXY,
    corsOrigins: v.TIDINGS_CORS_ORIGINS,
    logLevel: v.TIDINGS_LOG_LEVEL,
    accessLog: v.TIDINGS_ACCESS_LOG,
    unknownVariables: unknown,
  };
}

/** Reads the shared variables and the service's own (`extraShape`); throws ConfigError. */
export function loadNodeConfig(
  env: NodeJS.ProcessEnv = process.env,
  extraShape: z.ZodRawShape = {},
): NodeConfig {
  const { values, unknown } = parseEnv({ ...nodeEnv, ...extraShape }, env);
  const problems = nodeProblems(values);
  if (problems.length > 0)
    throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  return nodeConfigFrom(values, unknown);
}
