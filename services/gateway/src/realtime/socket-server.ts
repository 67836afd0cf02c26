import type { Server as HttpServer } from "node:http";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import {
  type CorsOrigins,
  coalesce,
  createRedisClient,
  type Logger,
  type RedisClient,
} from "@tidings/service";
import { Server } from "socket.io";
import type { GatewayConfig } from "../config.ts";
import type { GatewayServer } from "./socket-types.ts";
import { trackSubscriptions } from "./subscription-tracker.ts";

// Frames larger than this close the connection at the transport; messages up to it but over
// TIDINGS_MAX_MESSAGE_BYTES get INVALID_MESSAGE and the connection stays.
const TRANSPORT_FRAME_LIMIT = 1_048_576;

/** A Socket.IO server for the gateway, with what it takes to close it. */
export interface SocketServer {
  io: GatewayServer;
  /** Resolves once the rooms joined so far receive other nodes' messages. */
  roomsReady(): Promise<void>;
  /** The Redis client presence and other shared state may use (undefined in single-node mode). */
  redis: RedisClient | undefined;
  close(): Promise<void>;
}

/**
 * Attaches Socket.IO at `/socket.io`. With Redis, rooms are shared through the sharded adapter in
 * dynamic mode: a node subscribes to a room's channel only while one of its sockets is in the room,
 * so adding nodes adds capacity instead of multiplying traffic. Without Redis, rooms are local.
 */
export function createSocketServer(
  http: HttpServer,
  config: GatewayConfig,
  logger: Logger,
  corsOrigins: CorsOrigins,
): SocketServer {
  const options = {
    path: "/socket.io",
    // Long-polling from a page of another origin needs CORS; WebSockets are not subject to it.
    cors: { origin: corsOrigins === "*" ? "*" : [...corsOrigins] },
    pingInterval: config.heartbeatMs,
    pingTimeout: config.idleTimeoutMs - config.heartbeatMs,
    maxHttpBufferSize: Math.max(TRANSPORT_FRAME_LIMIT, config.maxMessageBytes),
    // Other paths carry the compatibility protocols' WebSockets (see compat/upgrade-router.ts).
    destroyUpgrade: false,
  };
  if (!config.redis) {
    const io: GatewayServer = new Server(http, options);
    return {
      io,
      roomsReady: async () => {},
      redis: undefined,
      close: () => new Promise((resolve) => io.close(() => resolve())),
    };
  }
  const pub = createRedisClient(config.redis, "publisher", logger);
  const sub = createRedisClient(config.redis, "subscriber", logger);
  const subscriptions = trackSubscriptions(sub, logger);
  const io: GatewayServer = new Server(http, {
    ...options,
    adapter: createShardedAdapter(pub, sub, {
      subscriptionMode: "dynamic",
      channelPrefix: config.redisPrefix,
    }),
  });
  return {
    io,
    // Commands on one connection run in order: once PING answers, earlier SSUBSCRIBEs are active.
    // One PING serves every caller waiting at the same time (each gets one sent after it asked);
    // in a storm of subscribes, at most every 10 ms. On a cluster, SSUBSCRIBEs go to one
    // connection per master, which a PING does not reach: wait for their own replies instead.
    roomsReady: sub.isCluster
      ? () => subscriptions.settled()
      : coalesce(
          async () => {
            await sub.ping();
          },
          { minIntervalMs: 10 },
        ),
    redis: pub,
    async close() {
      // The adapter's SUNSUBSCRIBEs of the rooms still held are not waited for: dropped.
      subscriptions.closing();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      pub.disconnect();
      sub.disconnect();
    },
  };
}
