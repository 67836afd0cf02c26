import type { TokenService } from "@tidings/auth";
import type { Bus } from "@tidings/bus";
import type { CollectionCatalog } from "@tidings/collections";
import type { PrismaClient, SqlClient } from "@tidings/db";
import {
  type CorsOrigins,
  type Lifecycle,
  type Logger,
  newProcessId,
  type ShutdownStep,
} from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { broadcastHandlers } from "./broadcast/broadcast-handlers.ts";
import { type BroadcastService, createBroadcastService } from "./broadcast/broadcast-service.ts";
import { registerCompatibility } from "./compat/register-compat.ts";
import { createUpgradeRouter } from "./compat/upgrade-router.ts";
import type { GatewayConfig } from "./config.ts";
import { createGateway, type Gateway } from "./gateway.ts";
import { channelAccess } from "./presence/channel-access.ts";
import { presenceHandlers } from "./presence/presence-handlers.ts";
import { createPresenceService, type PresenceService } from "./presence/presence-service.ts";
import { coalesceWrites } from "./realtime/coalesced-writes.ts";
import { createSocketServer, type SocketServer } from "./realtime/socket-server.ts";
import { serveSdk } from "./sdk/serve-sdk.ts";

/** The realtime side of a node: Socket.IO, presence, broadcast and the compatibility protocols. */
export interface RealtimeNode {
  sockets: SocketServer;
  gateway: Gateway;
  presence: PresenceService;
  broadcast: BroadcastService;
  /** Starts the background work (bookkeeping, slow consumers, presence refresh). */
  start(): void;
  /** Shutdown steps in order: clients told to leave, then the node's parts, then Socket.IO. */
  shutdownSteps(): ShutdownStep[];
}

/**
 * Builds the realtime side of a node on `app` (its HTTP server carries Socket.IO, the
 * compatibility protocols and the client SDK's browser builds at /sdk/). Used alike by a gateway
 * process and by `npm start`.
 */
export async function createRealtimeNode(
  app: FastifyInstance,
  deps: {
    prisma: PrismaClient;
    sql: SqlClient;
    bus: Bus;
    tokens: TokenService;
    /** The process's collection catalog, already following the bus. */
    collections: CollectionCatalog;
    lifecycle: Lifecycle;
    logger: Logger;
    env: NodeJS.ProcessEnv;
    corsOrigins: CorsOrigins;
    /** Time between two status heartbeats on the bus. @default DEFAULT_STATUS_INTERVAL_MS */
    statusIntervalMs?: number;
  },
  config: GatewayConfig,
): Promise<RealtimeNode> {
  coalesceWrites(app.server);
  const sockets = createSocketServer(app.server, config, deps.logger, deps.corsOrigins);
  const { io, redis, roomsReady } = sockets;
  const gateway = createGateway(
    {
      io,
      prisma: deps.prisma,
      sql: deps.sql,
      bus: deps.bus,
      tokens: deps.tokens,
      collections: deps.collections,
      lifecycle: deps.lifecycle,
      logger: deps.logger,
      nodeId: newProcessId("gateway"),
      roomsReady,
      ...(deps.statusIntervalMs ? { statusIntervalMs: deps.statusIntervalMs } : {}),
    },
    config,
  );
  const presence = createPresenceService(
    { io, redis, roomsReady, logger: deps.logger },
    { redisPrefix: config.redisPrefix },
  );
  const broadcast = createBroadcastService({ io, roomsReady });
  const access = channelAccess(config.channelAccess);
  gateway.addHandlers({
    ...presenceHandlers(presence, access),
    ...broadcastHandlers(broadcast, access),
  });
  await registerCompatibility({
    app,
    gateway,
    tokens: deps.tokens,
    presence,
    broadcast,
    access,
    upgrades: createUpgradeRouter(app.server),
    config,
    env: deps.env,
    logger: deps.logger,
  });
  serveSdk(app);
  return {
    sockets,
    gateway,
    presence,
    broadcast,
    start() {
      gateway.start();
      presence.start();
    },
    shutdownSteps: () => [
      { name: "clients", run: () => gateway.drain() },
      { name: "gateway", run: () => gateway.stop() },
      { name: "presence", run: () => presence.stop() },
    ],
  };
}
