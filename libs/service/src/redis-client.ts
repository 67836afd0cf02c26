import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import type { RedisSettings } from "./redis-settings.ts";
import type { Logger } from "./shutdown.ts";

/** A connection to one Redis server or to a Redis Cluster: both take the same commands. */
export type RedisClient = Redis | Cluster;

/**
 * What a client is for:
 * - `publisher`: the gateway's adapter publishes, presence scripts, health checks; commands wait
 *   while reconnecting;
 * - `subscriber`: the gateway's adapter SSUBSCRIBEs; on a cluster, one subscriber connection per
 *   master, since a sharded channel can only be subscribed to on the master of its slot;
 * - `emitter`: the evaluator's SPUBLISHes; no offline queue, so while Redis is down an emit fails
 *   at once and the batch waits in the bus. On a cluster, commands are pipelined per master.
 */
export type RedisRole = "publisher" | "subscriber" | "emitter";

/** The connection options every node of the deployment gets: credentials, TLS, a name. */
export function redisConnectionOptions(settings: RedisSettings, role: RedisRole): RedisOptions {
  const tls = new URL(settings.url).protocol === "rediss:" ? { ...settings.tls } : undefined;
  return {
    ...(settings.username !== undefined ? { username: settings.username } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    ...(tls ? { tls } : {}),
    connectionName: `tidings-${role}`,
    ...(role === "emitter" ? { maxRetriesPerRequest: 1 } : {}),
  };
}

/** The options of an ioredis Cluster for `role` (seed nodes aside). */
export function redisClusterOptions(settings: RedisSettings, role: RedisRole): ClusterOptions {
  return {
    redisOptions: redisConnectionOptions(settings, role),
    enableOfflineQueue: role !== "emitter",
    enableAutoPipelining: role === "emitter",
    shardedSubscribers: role === "subscriber",
  };
}

// ioredis lets a URL's credentials win over the options; the settings hold the ones that apply.
function withoutCredentials(url: string): string {
  const bare = new URL(url);
  bare.username = "";
  bare.password = "";
  return bare.toString();
}

/**
 * A Redis client for `role`: an ioredis Cluster when the settings name cluster nodes, otherwise a
 * client of the one server at the URL (its query options apply; credentials from the variables win
 * over the URL's). Connection problems are logged as warnings; ioredis reconnects by itself.
 */
export function createRedisClient(
  settings: RedisSettings,
  role: RedisRole,
  logger: Logger,
): RedisClient {
  const client: RedisClient = settings.clusterNodes
    ? new Cluster(settings.clusterNodes, redisClusterOptions(settings, role))
    : new Redis(withoutCredentials(settings.url), {
        ...redisConnectionOptions(settings, role),
        ...(role === "emitter" ? { enableOfflineQueue: false } : {}),
      });
  client.on("error", (error: unknown) =>
    logger.warn({ err: error, role }, "redis: connection problem"),
  );
  if (client instanceof Cluster)
    client.on("node error", (error: unknown, node: string) =>
      logger.warn({ err: error, role, node }, "redis: cluster node problem"),
    );
  return client;
}
