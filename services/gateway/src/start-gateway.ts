import { createTokenService, resolveJwtSecret } from "@tidings/auth";
import { createSharedCaches, followChanges } from "@tidings/collections";
import { openDatabase } from "@tidings/db";
import {
  createBus,
  createLifecycle,
  createLogger,
  type NodeConfig,
  registerCors,
  registerErrorHandling,
  registerHealthRoutes,
  registerInputChecks,
  registerRequestIdEcho,
  registerRequestTelemetry,
  registerSecurityHeaders,
  renderFrameworkError,
  requestId,
  runShutdown,
} from "@tidings/service";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { GatewayConfig } from "./config.ts";
import type { Gateway } from "./gateway.ts";
import { createRealtimeNode } from "./realtime-node.ts";

/**
 * The accept queue to listen with. A node that dies sends its clients to the others all at once
 * (10,000 within about a second); beyond the queue their SYNs are dropped and retried by TCP after
 * 1, 3, 7 and 15 s, which is what the last of them wait for. The kernel caps it at
 * `net.core.somaxconn` (4,096 on recent kernels): raise that too where one gateway may take over
 * thousands of clients (docs/deploy.md).
 */
export const LISTEN_BACKLOG = 16_384;

/** A running gateway process. */
export interface RunningGateway {
  app: FastifyInstance;
  gateway: Gateway;
  stop(): Promise<void>;
}

/**
 * Starts a gateway node of a cluster: its HTTP server (health, Socket.IO at /socket.io, the
 * compatibility protocols) on the shared PostgreSQL, NATS and Redis. Not yet listening.
 */
export async function startGateway(
  base: NodeConfig,
  config: GatewayConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningGateway> {
  const app = Fastify({
    loggerInstance: createLogger(base.logLevel),
    trustProxy: base.trustProxy,
    frameworkErrors: renderFrameworkError,
    // Fastify's two lines per request are replaced by one access line (registerRequestTelemetry).
    logController: new LogController({ disableRequestLogging: true }),
    // A request's id (its log lines' reqId) is the caller's X-Request-Id when usable.
    requestIdHeader: false,
    genReqId: requestId,
  });
  registerErrorHandling(app);
  registerRequestIdEcho(app);
  registerRequestTelemetry(app, { accessLog: base.accessLog });
  // Before the compatibility protocols' routes, which read their bodies as records' routes do.
  registerInputChecks(app, config.jsonMaxDepth);
  registerCors(app, base.corsOrigins);
  registerSecurityHeaders(app);
  const lifecycle = createLifecycle();
  const secret = await resolveJwtSecret(base.jwt.secret, base.dataDir);
  // The records service owns the schema: a gateway only checks it is current.
  const db = await openDatabase({ ...base.database, migrate: false });
  const bus = createBus(base.bus, app.log);
  await bus.start();
  const caches = createSharedCaches(db);
  const stopFollowing = followChanges(caches, bus);
  const tokens = createTokenService({ ...base.jwt, secret }, db.prisma, caches.users);
  const node = await createRealtimeNode(
    app,
    {
      prisma: db.prisma,
      sql: db.sql,
      bus,
      tokens,
      collections: caches.collections,
      lifecycle,
      logger: app.log,
      env,
      corsOrigins: base.corsOrigins,
    },
    config,
  );
  registerHealthRoutes(app, lifecycle, {
    database: () => db.ping(),
    ...(node.sockets.redis ? { redis: async () => void (await node.sockets.redis?.ping()) } : {}),
  });
  node.start();
  return {
    app,
    gateway: node.gateway,
    stop: () =>
      runShutdown(
        [
          { name: "drain", run: () => lifecycle.startDraining() },
          ...node.shutdownSteps(),
          { name: "http", run: () => app.close() },
          { name: "sockets", run: () => node.sockets.close() },
          {
            name: "bus",
            run: async () => {
              stopFollowing();
              await bus.stop();
            },
          },
          { name: "database", run: () => db.close() },
        ],
        app.log,
      ),
  };
}
