import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTokenService, type TokenService } from "@tidings/auth";
import { createMemoryBus } from "@tidings/bus";
import { CollectionCatalog } from "@tidings/collections";
import { newId, type PrismaClient, type SqlClient } from "@tidings/db";
import { openTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { createLifecycle, createLogger } from "@tidings/service";
import type { TestRedis } from "@tidings/testing";
import { io as connect, type Socket } from "socket.io-client";
import { broadcastHandlers } from "../../broadcast/broadcast-handlers.ts";
import {
  BROADCAST_EVENT,
  type BroadcastMessage,
  type BroadcastService,
  createBroadcastService,
} from "../../broadcast/broadcast-service.ts";
import { DEFAULT_GATEWAY_CONFIG, type GatewayConfig } from "../../config.ts";
import { createGateway } from "../../gateway.ts";
import type { Ack } from "../../realtime/message-router.ts";
import { createSocketServer } from "../../realtime/socket-server.ts";
import { type ChannelAuthorizer, channelAccess } from "../channel-access.ts";
import { presenceHandlers } from "../presence-handlers.ts";
import {
  createPresenceService,
  PRESENCE_EVENTS,
  type PresenceDiff,
  type PresenceOptions,
  type PresenceService,
} from "../presence-service.ts";
import type { PresenceMember } from "../presence-store.ts";

const logger = createLogger("silent");

/** What the nodes of one test file share: a database with users, and their tokens. */
export interface TestWorld extends AsyncDisposable {
  prisma: PrismaClient;
  sql: SqlClient;
  tokens: TokenService;
  /** A new user and a token for it. */
  user(role?: "user" | "superuser"): Promise<{ id: string; token: string }>;
}

/** Opens a fresh PostgreSQL database and a token service on it. */
export async function openTestWorld(): Promise<TestWorld> {
  const db: TestDatabase = await openTestDatabase("postgres");
  const tokens = createTokenService({ secret: "s".repeat(32), ttlSeconds: 3_600 }, db.prisma);
  return {
    prisma: db.prisma,
    sql: db.sql,
    tokens,
    async user(role = "user") {
      const id = newId();
      const user = await db.prisma.user.create({
        data: {
          id,
          email: `${id}@example.test`,
          passwordHash: "unused",
          tokenKey: randomBytes(8).toString("hex"),
          role,
        },
      });
      return { id, token: await tokens.issue(user) };
    },
    [Symbol.asyncDispose]: () => db.close(),
  };
}

/** A test client: the presence and broadcast events it received, in order. */
export interface TestClient {
  readonly id: string;
  readonly states: { room: string; members: PresenceMember[] }[];
  readonly diffs: PresenceDiff[];
  readonly broadcasts: BroadcastMessage[];
  /** Sends a message and resolves to its ack. */
  send(event: string, body: unknown): Promise<Ack>;
  close(): void;
}

/** Settings of one test node. */
export interface TestNodeOptions
  extends Pick<PresenceOptions, "memberTtlMs" | "maxRoomsPerConnection"> {
  /** Shared Redis (a cluster); unset: a single node with in-memory presence. */
  redis?: TestRedis;
  channelAccess?: GatewayConfig["channelAccess"];
  authorize?: ChannelAuthorizer;
  maxTopicsPerConnection?: number;
}

/** A gateway node with presence and broadcast, listening on a free port. */
export interface TestNode extends AsyncDisposable {
  readonly presence: PresenceService;
  readonly broadcast: BroadcastService;
  /** Connects a client, signed in with `token` or anonymous. */
  connect(token?: string): Promise<TestClient>;
  close(): Promise<void>;
}

/** Starts a gateway node on the world's database, wired as `startGateway` wires it. */
export async function startTestNode(
  world: TestWorld,
  options: TestNodeOptions = {},
): Promise<TestNode> {
  const config: GatewayConfig = {
    ...DEFAULT_GATEWAY_CONFIG,
    redis: options.redis && { url: options.redis.url },
    redisPrefix: options.redis?.prefix ?? DEFAULT_GATEWAY_CONFIG.redisPrefix,
    channelAccess: options.channelAccess ?? DEFAULT_GATEWAY_CONFIG.channelAccess,
  };
  const http = createServer();
  const sockets = createSocketServer(http, config, logger, "*");
  const { io, redis, roomsReady } = sockets;
  // A bus of its own: the node announces itself on it, as every gateway does.
  const bus = createMemoryBus();
  await bus.start();
  const gateway = createGateway(
    {
      io,
      prisma: world.prisma,
      sql: world.sql,
      bus,
      tokens: world.tokens,
      collections: new CollectionCatalog(world.prisma),
      lifecycle: createLifecycle(),
      logger,
      nodeId: `test-${randomBytes(4).toString("hex")}`,
      roomsReady,
    },
    config,
  );
  const presence = createPresenceService(
    { io, redis, roomsReady, logger },
    { ...options, redisPrefix: config.redisPrefix },
  );
  const broadcast = createBroadcastService({ io, roomsReady }, options);
  const access = channelAccess(config.channelAccess, options.authorize);
  gateway.addHandlers({
    ...presenceHandlers(presence, access),
    ...broadcastHandlers(broadcast, access),
  });
  gateway.start();
  presence.start();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clients: Socket[] = [];

  const close = async () => {
    for (const socket of clients) socket.close();
    presence.stop();
    await gateway.stop();
    await sockets.close();
    await bus.stop();
  };
  return {
    presence,
    broadcast,
    async connect(token) {
      const socket = connect(url, {
        auth: token ? { token } : {},
        transports: ["websocket"],
        forceNew: true,
      });
      clients.push(socket);
      const client = {
        states: [] as TestClient["states"],
        diffs: [] as PresenceDiff[],
        broadcasts: [] as BroadcastMessage[],
      };
      socket.on(PRESENCE_EVENTS.state, (state) => client.states.push(state));
      socket.on(PRESENCE_EVENTS.diff, (diff) => client.diffs.push(diff));
      socket.on(BROADCAST_EVENT, (message) => client.broadcasts.push(message));
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      });
      return {
        ...client,
        id: socket.id as string,
        send: (event, body) => socket.timeout(5_000).emitWithAck(event, body),
        close: () => socket.close(),
      };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
