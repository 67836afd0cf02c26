import {
  ConfigError,
  envValue,
  jsonDepthEnv,
  type RedisSettings,
  redisEnv,
  redisSettingsFrom,
} from "@tidings/service";
import { z } from "zod";
import { compatEnv } from "./compat/compat-env.ts";

/**
 * Variables of the realtime gateway (beyond those it shares with the records service: port,
 * database, bus, JWT). Defaults follow Fluxbase's documented limits.
 */
export const gatewayEnv = {
  ...compatEnv,
  // Redis for the Socket.IO adapter and presence (URL, credentials, TLS, cluster). Unset URL: the
  // in-memory adapter (single node).
  ...redisEnv,
  /** Live connections one user may have across the cluster. */
  TIDINGS_MAX_CONNECTIONS_PER_USER: envValue.int(10, 1, 10_000),
  /** Subscriptions one connection may hold. */
  TIDINGS_MAX_SUBSCRIPTIONS_PER_CONNECTION: envValue.int(100, 1, 10_000),
  /** Messages a client may send per minute (subscribe, broadcast, presence, …). */
  TIDINGS_MAX_MESSAGES_PER_MINUTE: envValue.int(100, 1, 1_000_000),
  /** Largest client message, in bytes (JSON); larger is INVALID_MESSAGE. */
  TIDINGS_MAX_MESSAGE_BYTES: envValue.int(65_536, 256, 1_048_576),
  // Shared with the records service; here because a realtime node, in a gateway process or in
  // `npm start`, is configured from these variables alone.
  ...jsonDepthEnv,
  /** Seconds between heartbeats (Socket.IO pings). */
  TIDINGS_HEARTBEAT_INTERVAL: envValue.int(30, 1, 3_600),
  /** Seconds of silence (not even a heartbeat reply) after which a connection is closed. */
  TIDINGS_IDLE_TIMEOUT: envValue.int(120, 2, 86_400),
  /** Bytes queued for one client beyond which it is cut off as a slow consumer. */
  TIDINGS_SLOW_CONSUMER_BYTES: envValue.int(4_194_304, 16_384, 1_073_741_824),
  /** Seconds a disconnected client's subscriptions are kept before they are removed. */
  TIDINGS_DISCONNECT_GRACE: envValue.int(60, 0, 86_400),
  /** Seconds before a token expires at which the client is warned (`auth:expiring`). */
  TIDINGS_TOKEN_EXPIRY_WARNING: envValue.int(60, 1, 86_400),
  /** Who may join presence rooms and broadcast topics: authenticated, anyone, or superusers. */
  TIDINGS_CHANNEL_ACCESS: z
    .enum(["authenticated", "anyone", "superusers"])
    .default("authenticated"),
  /** Seconds within which a draining node expects its clients to have left. */
  TIDINGS_SHUTDOWN_DEADLINE: envValue.int(20, 1, 600),
};

/** Validated gateway settings. */
export interface GatewayConfig {
  /** Redis shared by the nodes; undefined: the in-memory adapter (single node). */
  redis: RedisSettings | undefined;
  redisPrefix: string;
  maxConnectionsPerUser: number;
  maxSubscriptionsPerConnection: number;
  maxMessagesPerMinute: number;
  maxMessageBytes: number;
  /** Deepest nesting of objects and arrays accepted in a message or HTTP body. */
  jsonMaxDepth: number;
  heartbeatMs: number;
  idleTimeoutMs: number;
  slowConsumerBytes: number;
  disconnectGraceMs: number;
  tokenExpiryWarningMs: number;
  channelAccess: "authenticated" | "anyone" | "superusers";
  shutdownDeadlineMs: number;
}

/** Gateway settings from parsed {@link gatewayEnv} values; idle timeout must exceed the heartbeat. */
export function gatewayConfigFrom(v: z.infer<z.ZodObject<typeof gatewayEnv>>): GatewayConfig {
  if (v.TIDINGS_IDLE_TIMEOUT <= v.TIDINGS_HEARTBEAT_INTERVAL) {
    throw new ConfigError(
      "invalid configuration:\n  TIDINGS_IDLE_TIMEOUT: must be longer than TIDINGS_HEARTBEAT_INTERVAL",
    );
  }
  return {
    redis: redisSettingsFrom(v),
    redisPrefix: v.TIDINGS_REDIS_PREFIX,
    maxConnectionsPerUser: v.TIDINGS_MAX_CONNECTIONS_PER_USER,
    maxSubscriptionsPerConnection: v.TIDINGS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    maxMessagesPerMinute: v.TIDINGS_MAX_MESSAGES_PER_MINUTE,
    maxMessageBytes: v.TIDINGS_MAX_MESSAGE_BYTES,
    jsonMaxDepth: v.TIDINGS_JSON_MAX_DEPTH,
    heartbeatMs: v.TIDINGS_HEARTBEAT_INTERVAL * 1000,
    idleTimeoutMs: v.TIDINGS_IDLE_TIMEOUT * 1000,
    slowConsumerBytes: v.TIDINGS_SLOW_CONSUMER_BYTES,
    disconnectGraceMs: v.TIDINGS_DISCONNECT_GRACE * 1000,
    tokenExpiryWarningMs: v.TIDINGS_TOKEN_EXPIRY_WARNING * 1000,
    channelAccess: v.TIDINGS_CHANNEL_ACCESS,
    shutdownDeadlineMs: v.TIDINGS_SHUTDOWN_DEADLINE * 1000,
  };
}

/** Defaults, for tests and embedding. */
export const DEFAULT_GATEWAY_CONFIG: GatewayConfig = gatewayConfigFrom(
  z.object(gatewayEnv).parse({}),
);
