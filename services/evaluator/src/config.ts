import {
  type BusSettings,
  busEnv,
  busSettingsFrom,
  ConfigError,
  envValue,
  parseEnv,
  type RedisSettings,
  redisEnv,
  redisSettingsFrom,
} from "@tidings/service";
import { telemetryEnv } from "@tidings/telemetry";
import { z } from "zod";

/** Environment variables an evaluator replica reads, each with its default. */
export const evaluatorEnv = {
  ...busEnv,
  /** Port of the health endpoints (/healthz, /readyz). */
  TIDINGS_PORT: envValue.port(8092),
  TIDINGS_HOST: z.string().min(1).default("127.0.0.1"),
  /** postgres:// URL: collections and stored subscriptions. */
  TIDINGS_DATABASE_URL: envValue.url(["postgres:", "postgresql:"]),
  TIDINGS_DATABASE_POOL_SIZE: envValue.int(10, 1, 500),
  /** Direct postgres:// URL when TIDINGS_DATABASE_URL goes through a pooler (see the records service). */
  TIDINGS_DATABASE_DIRECT_URL: envValue.url(["postgres:", "postgresql:"]),
  // Redis of the gateways' Socket.IO adapter, where the evaluator emits (required), with the
  // gateways' prefix, credentials, TLS and cluster settings.
  ...redisEnv,
  /** Events per batch (also what a replica holds unacknowledged per partition). */
  TIDINGS_EVALUATOR_BATCH_SIZE: envValue.int(64, 1, 1_000),
  /**
   * Seconds an event may stay unacknowledged before it is redelivered; a dead replica's partitions
   * move to the others 2 s after that.
   */
  TIDINGS_EVALUATOR_ACK_WAIT: envValue.int(10, 1, 600),
  TIDINGS_LOG_LEVEL: envValue.logLevel(),
  ...telemetryEnv,
};

/** Validated configuration of an evaluator replica. */
export interface EvaluatorConfig {
  port: number;
  host: string;
  databaseUrl: string;
  /** Unpooled URL for the schema check; also marks `databaseUrl` as pooled (unnamed statements). */
  databaseDirectUrl: string | undefined;
  poolSize: number;
  redis: RedisSettings;
  redisPrefix: string;
  bus: BusSettings;
  batchSize: number;
  ackWaitMs: number;
  logLevel: string;
  unknownVariables: string[];
}

/**
 * Reads an evaluator's configuration. A separate evaluator process needs the shared PostgreSQL,
 * NATS and Redis (in single-node mode the evaluator runs inside `npm start` instead).
 */
export function loadEvaluatorConfig(
  env: NodeJS.ProcessEnv = process.env,
  extraShape: z.ZodRawShape = {},
): EvaluatorConfig {
  const { values: v, unknown } = parseEnv({ ...evaluatorEnv, ...extraShape }, env);
  const missing = (
    ["TIDINGS_DATABASE_URL", "TIDINGS_NATS_URL", "TIDINGS_REDIS_URL"] as const
  ).filter((name) => !v[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `invalid configuration:\n  ${missing.map((name) => `${name}: required by an evaluator process`).join("\n  ")}`,
    );
  }
  return {
    port: v.TIDINGS_PORT,
    host: v.TIDINGS_HOST,
    databaseUrl: v.TIDINGS_DATABASE_URL as string,
    databaseDirectUrl: v.TIDINGS_DATABASE_DIRECT_URL,
    poolSize: v.TIDINGS_DATABASE_POOL_SIZE,
    redis: redisSettingsFrom(v) as RedisSettings,
    redisPrefix: v.TIDINGS_REDIS_PREFIX,
    bus: busSettingsFrom(v),
    batchSize: v.TIDINGS_EVALUATOR_BATCH_SIZE,
    ackWaitMs: v.TIDINGS_EVALUATOR_ACK_WAIT * 1000,
    logLevel: v.TIDINGS_LOG_LEVEL,
    unknownVariables: unknown,
  };
}
