import {
  ConfigError,
  envValue,
  jsonDepthEnv,
  type NodeConfig,
  nodeConfigFrom,
  nodeEnv,
  nodeProblems,
  parseEnv,
} from "@tidings/service";
import { z } from "zod";
import { passwordProblem } from "./auth/password-policy.ts";

/** Environment variables the records service reads, each with its default: the shared ones and its own. */
export const recordsEnv = {
  ...nodeEnv,
  /**
   * Apply pending migrations at start (PostgreSQL). false: never run DDL; refuse to start until
   * the migration entry point (`dist/migrate.js`, the chart's Job) has brought the schema up to date.
   */
  TIDINGS_DATABASE_MIGRATE: envValue.bool(true),
  /** Lifetime of issued tokens, in seconds (default 7 days). */
  TIDINGS_TOKEN_TTL: envValue.int(604_800, 60, 31_536_000),
  /** Superuser created or updated at start-up. */
  TIDINGS_SUPERUSER_EMAIL: z.email().optional(),
  TIDINGS_SUPERUSER_PASSWORD: z.string().optional(),
  /** Largest accepted request body, in bytes. */
  TIDINGS_BODY_LIMIT: envValue.int(1_048_576, 1_024, 104_857_600),
  ...jsonDepthEnv,
  /** Requests per minute per client address on the auth endpoints (the login routes share one budget). */
  TIDINGS_AUTH_RATE_LIMIT: envValue.int(30, 1, 100_000),
  /** Shortest password a new account (and the superuser) may have; also refused: only spaces, one character repeated, the most common passwords. */
  TIDINGS_PASSWORD_MIN_LENGTH: envValue.int(10, 8, 256),
  /** Failed logins per account within 15 minutes, over all login routes and addresses, before its logins are refused for the rest of the 15 minutes. */
  TIDINGS_LOGIN_FAILURES_PER_ACCOUNT: envValue.int(10, 1, 10_000),
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
};

/** Validated configuration of the records service: the shared settings and its own. */
export interface RecordsConfig extends NodeConfig {
  grpcPort: number;
  /** Tokens of the services that may use the internal publish API; empty = none may. */
  serviceTokens: string[];
  /** Lifetime of the tokens records issues. */
  tokenTtlSeconds: number;
  superuser: { email: string; password: string } | undefined;
  bodyLimit: number;
  /** Deepest nesting of objects and arrays accepted in a body or gRPC message. */
  jsonMaxDepth: number;
  authRateLimit: number;
  passwordMinLength: number;
  loginFailuresPerAccount: number;
}

/** Reads and checks the records service configuration; throws ConfigError naming the bad variables. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  extraShape: z.ZodRawShape = {},
): RecordsConfig {
  const { values: v, unknown } = parseEnv({ ...recordsEnv, ...extraShape }, env);
  const problems = nodeProblems(v);
  if (Boolean(v.TIDINGS_SUPERUSER_EMAIL) !== Boolean(v.TIDINGS_SUPERUSER_PASSWORD)) {
    problems.push("TIDINGS_SUPERUSER_EMAIL and TIDINGS_SUPERUSER_PASSWORD: set both or neither");
  }
  const weak =
    v.TIDINGS_SUPERUSER_PASSWORD !== undefined &&
    passwordProblem(v.TIDINGS_SUPERUSER_PASSWORD, v.TIDINGS_PASSWORD_MIN_LENGTH);
  if (weak) problems.push(`TIDINGS_SUPERUSER_PASSWORD: ${weak}`);
  // Derived from the HTTP port, so a second instance on another TIDINGS_PORT needs nothing more.
  const grpcPort = v.TIDINGS_GRPC_PORT ?? (v.TIDINGS_PORT === 0 ? 0 : v.TIDINGS_PORT + 1);
  if (grpcPort > 65_535)
    problems.push("TIDINGS_GRPC_PORT: set it (TIDINGS_PORT + 1, its default, is not a port)");
  if (problems.length > 0)
    throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  const node = nodeConfigFrom(v, unknown);
  return {
    ...node,
    database:
      "url" in node.database
        ? { ...node.database, migrate: v.TIDINGS_DATABASE_MIGRATE }
        : node.database,
    grpcPort,
    serviceTokens: v.TIDINGS_SERVICE_TOKENS ?? [],
    tokenTtlSeconds: v.TIDINGS_TOKEN_TTL,
    superuser:
      v.TIDINGS_SUPERUSER_EMAIL && v.TIDINGS_SUPERUSER_PASSWORD
        ? { email: v.TIDINGS_SUPERUSER_EMAIL, password: v.TIDINGS_SUPERUSER_PASSWORD }
        : undefined,
    bodyLimit: v.TIDINGS_BODY_LIMIT,
    jsonMaxDepth: v.TIDINGS_JSON_MAX_DEPTH,
    authRateLimit: v.TIDINGS_AUTH_RATE_LIMIT,
    passwordMinLength: v.TIDINGS_PASSWORD_MIN_LENGTH,
    loginFailuresPerAccount: v.TIDINGS_LOGIN_FAILURES_PER_ACCOUNT,
  };
}
