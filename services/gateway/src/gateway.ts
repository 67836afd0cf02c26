import type { TokenService } from "@tidings/auth";
import type { Bus } from "@tidings/bus";
import type { CollectionCatalog } from "@tidings/collections";
import type { PrismaClient, SqlClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import type { Lifecycle, Logger } from "@tidings/service";
import type { CompatDeps } from "./compat/compat-session.ts";
import { isRealSocket } from "./compat/virtual-connection.ts";
import type { GatewayConfig } from "./config.ts";
import { ConnectionTracker } from "./connections/connection-tracker.ts";
import { tokenCredential } from "./connections/credentials.ts";
import { Revocations } from "./connections/revocations.ts";
import { authHandler } from "./realtime/auth-handler.ts";
import { type TappableAdapter, tapDeliveries } from "./realtime/delivery-telemetry.ts";
import { EventHistory } from "./realtime/event-history.ts";
import { observeGateway } from "./realtime/gateway-gauges.ts";
import { type AnyMessageHandler, attachMessageRouter } from "./realtime/message-router.ts";
import { terminateConnection, watchSlowConsumers } from "./realtime/slow-consumers.ts";
import type { GatewayServer, GatewaySocket } from "./realtime/socket-types.ts";
import { subscribeHandler } from "./realtime/subscribe-handler.ts";
import { closeWith, ExpiryWatch } from "./realtime/token-expiry.ts";
import { unsubscribeHandler } from "./realtime/unsubscribe-handler.ts";
import { announceGateway } from "./status/gateway-status.ts";
import { SubscriptionStore } from "./subscriptions/subscription-store.ts";

/** What a gateway node is built from. */
export interface GatewayDeps {
  io: GatewayServer;
  prisma: PrismaClient;
  /** Raw statements on the same connections, for the per-connection hot path. */
  sql: SqlClient;
  bus: Bus;
  tokens: TokenService;
  /** Collection definitions and compiled rules, cached and kept current by the bus. */
  collections: CollectionCatalog;
  lifecycle: Lifecycle;
  logger: Logger;
  /** The node's id: stored with its connections, and its id in status heartbeats. */
  nodeId: string;
  /** Resolves once rooms joined so far receive messages from every node. */
  roomsReady(): Promise<void>;
  /** Time between two status heartbeats on the bus. @default DEFAULT_STATUS_INTERVAL_MS */
  statusIntervalMs?: number;
}

/** A gateway node: the realtime protocol on a Socket.IO server. */
export interface Gateway {
  /** The node's id (its connections' `node_id`, its id in the cluster view). */
  readonly id: string;
  readonly store: SubscriptionStore;
  readonly connections: ConnectionTracker;
  /** Extra message handlers (presence, broadcast) join the protocol through here. */
  addHandlers(handlers: Record<string, AnyMessageHandler>): void;
  start(): void;
  /** Tells every client to reconnect elsewhere and waits (up to the deadline) for them to go. */
  drain(): Promise<void>;
  /** Compatibility transports close their clients' connections through this when the node drains. */
  onDrain(listener: () => Promise<void>): void;
  /** What compatibility sessions are built on. */
  compatDeps(): CompatDeps;
  stop(): Promise<void>;
}

function connectError(error: unknown): Error {
  const body =
    error instanceof TidingsError ? error.toBody() : new TidingsError("INTERNAL").toBody();
  return Object.assign(new Error(body.message), {
    data: { code: body.code, message: body.message, data: body.data },
  });
}

/** Wires the realtime protocol onto `deps.io`. */
export function createGateway(deps: GatewayDeps, config: GatewayConfig): Gateway {
  const { io, prisma, sql, bus, tokens, logger } = deps;
  const store = new SubscriptionStore(sql, bus);
  const history = new EventHistory(bus);
  const connections = new ConnectionTracker(
    { prisma, sql },
    store,
    {
      nodeId: deps.nodeId,
      graceMs: config.disconnectGraceMs,
      heartbeatMs: config.heartbeatMs,
      maxConnectionsPerUser: config.maxConnectionsPerUser,
    },
    logger,
  );
  const expiries = new ExpiryWatch(config.tokenExpiryWarningMs);
  const revocations = new Revocations(tokens, logger);
  // A signed-in socket's token is checked again whenever its user changes (revoked, deleted).
  const watchToken = (socket: GatewaySocket) => {
    const { auth, token } = socket.data;
    if (!auth || !token) return;
    revocations.watch(socket.id, auth.id, tokenCredential(tokens, token, auth.id), () =>
      closeWith(socket, { reason: "token_revoked", code: "UNAUTHORIZED", reconnect: false }),
    );
  };
  const handlers: Record<string, AnyMessageHandler> = {
    subscribe: subscribeHandler({
      collections: deps.collections,
      history,
      store,
      maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
      roomsReady: deps.roomsReady,
      replayBacklogBytes: Math.floor(config.slowConsumerBytes / 2),
    }),
    unsubscribe: unsubscribeHandler(store),
    auth: authHandler(tokens, {
      signIn: (id, userId) => connections.signIn(id, userId),
      renewed: (socket, previous) => {
        expiries.unwatch(socket, previous);
        expiries.watch(socket);
        watchToken(socket);
      },
    }),
  };
  const closeConnection = (id: string) =>
    connections
      .close(id)
      .catch((error) =>
        logger.warn({ err: error }, "realtime: could not mark a connection closed"),
      );
  let slowConsumers: { stop(): void } | undefined;
  let status: { stop(): void } | undefined;
  let stopObserving = () => {};
  tapDeliveries(io.of("/").adapter as unknown as TappableAdapter);
  const drainListeners: (() => Promise<void>)[] = [];

  io.use(async (socket, next) => {
    try {
      if (deps.lifecycle.draining)
        throw new TidingsError("UNAVAILABLE", "This node is shutting down; connect to another.");
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (token !== undefined && typeof token !== "string")
        throw new TidingsError("UNAUTHORIZED", "auth.token must be a string.");
      const verified = token ? await tokens.verify(token) : undefined;
      socket.data = {
        auth: verified?.user ?? null,
        expiresAt: verified?.expiresAt ?? null,
        token: token || null,
        connectionId: socket.id,
        subscriptions: new Map(),
      };
      // A client gone during the handshake never connects, so it never disconnects either: it gets
      // no row, or its row is closed here. Past this check the socket connects (Socket.IO checks
      // the transport again on the next tick, before any I/O could close it).
      const gone = () =>
        new TidingsError("UNAVAILABLE", "The connection closed during the handshake.");
      if (socket.conn.readyState !== "open") throw gone();
      await connections.open(socket.id, verified?.user.id ?? null, "socket.io");
      if (socket.conn.readyState !== "open") {
        closeConnection(socket.id);
        throw gone();
      }
      next();
    } catch (error) {
      if (!(error instanceof TidingsError))
        logger.error({ err: error }, "realtime connection failed");
      next(connectError(error));
    }
  });

  // A client silent past the idle timeout cannot be expected to answer a closing handshake either:
  // drop its TCP connection at once rather than hold it (and a shutdown) for the handshake timeout.
  io.engine.on(
    "connection",
    (raw: { on(event: "close", listener: (reason: string) => void): void }) => {
      raw.on("close", (reason) => {
        if (reason === "ping timeout") terminateConnection(raw);
      });
    },
  );

  io.on("connection", (socket: GatewaySocket) => {
    attachMessageRouter(
      socket,
      handlers,
      {
        maxMessageBytes: config.maxMessageBytes,
        maxMessagesPerMinute: config.maxMessagesPerMinute,
        jsonMaxDepth: config.jsonMaxDepth,
      },
      logger,
    );
    expiries.watch(socket);
    watchToken(socket);
    // Socket.IO has left every room by now; the subscriptions go after the grace period.
    socket.on("disconnect", () => {
      expiries.unwatch(socket);
      revocations.unwatch(socket.id);
      closeConnection(socket.id);
    });
  });

  return {
    id: deps.nodeId,
    store,
    connections,
    addHandlers(extra) {
      Object.assign(handlers, extra);
    },
    start() {
      connections.start();
      revocations.start();
      slowConsumers = watchSlowConsumers(io, config.slowConsumerBytes);
      stopObserving = observeGateway(io);
      status = announceGateway({
        bus,
        io,
        prisma,
        collections: deps.collections,
        id: deps.nodeId,
        logger,
        ...(deps.statusIntervalMs ? { intervalMs: deps.statusIntervalMs } : {}),
      });
    },
    onDrain(listener) {
      drainListeners.push(listener);
    },
    compatDeps() {
      return {
        io,
        prisma,
        tokens,
        collections: deps.collections,
        history,
        store,
        connections,
        revocations,
        roomsReady: deps.roomsReady,
        logger,
        maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
      };
    },
    async drain() {
      await Promise.all(
        drainListeners.map((listener) =>
          listener().catch((error) => logger.warn({ err: error }, "drain listener failed")),
        ),
      );
      for (const socket of io.of("/").sockets.values()) {
        if (!isRealSocket(socket)) continue;
        closeWith(socket as GatewaySocket, {
          reason: "server_shutdown",
          code: "UNAVAILABLE",
          reconnect: true,
        });
      }
      // Clients close their end on `tidings:disconnect`; any connection still open at the deadline
      // (a client that does not read) is dropped so it cannot hold the shutdown.
      const deadline = Date.now() + config.shutdownDeadlineMs;
      while (io.engine.clientsCount > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // engine.io keeps its connections in a protected map; there is no public way to reach them.
      const open = (io.engine as unknown as { clients: Record<string, unknown> }).clients;
      for (const raw of Object.values(open)) terminateConnection(raw);
    },
    async stop() {
      status?.stop();
      slowConsumers?.stop();
      stopObserving();
      connections.stop();
      expiries.stop();
      revocations.stop();
    },
  };
}
