import { resolveJwtSecret } from "@tidings/auth";
import type { Bus } from "@tidings/bus";
import { createSharedCaches, followChanges, type SharedCaches } from "@tidings/collections";
import { type Database, openDatabase } from "@tidings/db";
import {
  createBus,
  createLifecycle,
  createLogger,
  type Lifecycle,
  newProcessId,
  runShutdown,
  type ShutdownStep,
  type StatusBeacon,
  startBusPersistently,
  startStatusBeacon,
} from "@tidings/service";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { StatusBoard } from "./admin/status-board.ts";
import { buildApp } from "./app.ts";
import { upsertSuperuser } from "./auth/users.ts";
import type { RecordsConfig } from "./config.ts";
import { createOutboxRelay, type OutboxRelay } from "./outbox/outbox-relay.ts";
import { observeOutboxBacklog } from "./outbox/relay-telemetry.ts";
import { type InternalPublish, startInternalPublish } from "./publish/internal-publish.ts";

/** A running records service. */
export interface RunningRecords {
  /** The service's id in the status heartbeats. */
  id: string;
  app: FastifyInstance;
  db: Database;
  lifecycle: Lifecycle;
  /** The internal publish API's gRPC server and key sweeper (already listening). */
  publish: InternalPublish;
  bus: Bus;
  /** Moves committed changes from the outbox to the bus. */
  relay: OutboxRelay;
  /** Collections and token users, cached once the bus runs; other services of the process share them. */
  caches: SharedCaches;
  /**
   * Readiness fails, requests get 503, HTTP closes, then gRPC, the relay, and the bus and database
   * if this service opened them.
   */
  stop(): Promise<void>;
}

/** Resources a process already has and shares with the records service (single-node mode). */
export interface SharedResources {
  db?: Database;
  /** A bus already started (the records service then follows its notices at once). */
  bus?: Bus;
  logger?: FastifyBaseLogger;
}

/** Tuning that is not configuration. */
export interface RecordsStartOptions {
  /** Time between two status heartbeats on the bus. @default DEFAULT_STATUS_INTERVAL_MS */
  statusIntervalMs?: number;
}

/**
 * Opens the database, ensures the configured superuser, builds the app (not yet listening) and
 * starts the gRPC publish server (listening: a port that cannot be bound fails the start).
 */
export async function startRecords(
  config: RecordsConfig,
  shared: SharedResources = {},
  options: RecordsStartOptions = {},
): Promise<RunningRecords> {
  const secret = await resolveJwtSecret(config.jwt.secret, config.dataDir);
  const db = shared.db ?? (await openDatabase(config.database));
  const lifecycle = createLifecycle();
  const caches = createSharedCaches(db);
  const logger = shared.logger ?? createLogger(config.logLevel);
  // Not started yet: the admin routes answer UNAVAILABLE until it runs.
  const bus = shared.bus ?? createBus(config.bus, logger);
  const board = new StatusBoard();
  const app = await buildApp(
    {
      jwt: { ...config.jwt, secret, ttlSeconds: config.tokenTtlSeconds },
      bodyLimit: config.bodyLimit,
      jsonMaxDepth: config.jsonMaxDepth,
      authRateLimit: config.authRateLimit,
      passwordMinLength: config.passwordMinLength,
      loginFailuresPerAccount: config.loginFailuresPerAccount,
      trustProxy: config.trustProxy,
      accessLog: config.accessLog,
      corsOrigins: config.corsOrigins,
      logLevel: config.logLevel,
      serviceTokens: config.serviceTokens,
    },
    { db, lifecycle, caches, logger, admin: { bus, board } },
  );
  if (config.unknownVariables.length > 0) {
    app.log.warn(
      { variables: config.unknownVariables },
      "unknown TIDINGS_* variables (typos?) are ignored",
    );
  }
  let superuserChanged: string | undefined;
  if (config.superuser) {
    const { outcome, userId } = await upsertSuperuser(
      db.prisma,
      config.superuser.email,
      config.superuser.password,
    );
    app.log.info(
      { email: config.superuser.email, outcome },
      "superuser from TIDINGS_SUPERUSER_EMAIL",
    );
    if (outcome === "updated") superuserChanged = userId;
  }
  const publish = await startInternalPublish(
    {
      host: config.host,
      port: config.grpcPort,
      maxMessageBytes: config.bodyLimit,
      jsonMaxDepth: config.jsonMaxDepth,
      serviceTokens: config.serviceTokens,
    },
    { prisma: db.prisma, lifecycle, log: app.log },
  ).catch(async (error: unknown) => {
    await app.close();
    if (!shared.db) await db.close();
    throw error;
  });
  app.log.info(
    { port: publish.grpcPort, serviceTokens: config.serviceTokens.length },
    "gRPC publish API (tidings.v1.Publisher) listening",
  );
  // Writes never wait for NATS: the bus starts in the background and the relay catches up.
  const busStarting = new AbortController();
  const busStarted = shared.bus
    ? Promise.resolve()
    : startBusPersistently(bus, app.log, busStarting.signal);
  // Rounds at most every 20 ms carry more rows each: each round costs a statement, a stream read,
  // a stream position and, downstream, one batch for the evaluator and one Redis pipeline,
  // whatever it carries. On the embedded database 20 ms took a third off the single node's CPU per
  // write at 300 writes/s against 5 ms; on PostgreSQL, against 10 ms, about 7 % off the cluster's
  // at 500 writes/s, for about 5 ms more median latency under load (docs/benchmarks.md, issue 13).
  // Only a stream of writes is paced: a lone write goes out at once (see keepsPacing).
  const relay = createOutboxRelay({ db, bus, logger: app.log }, { roundMs: 20 });
  let stopFollowing = () => {};
  let stopListening = () => {};
  let beacon: StatusBeacon | undefined;
  const id = newProcessId("records");
  const stopObservingBacklog = observeOutboxBacklog(db.sql);
  // The relay starts once the bus has (until then rows simply wait in the outbox), the caches
  // start caching once they can hear other replicas' changes, and the admin view starts hearing
  // the processes' heartbeats, this one's among them.
  void busStarted.then(() => {
    if (busStarting.signal.aborted) return;
    stopFollowing = followChanges(caches, bus);
    stopListening = board.follow(bus);
    beacon = startStatusBeacon(bus, () => ({ service: "records" }), {
      id,
      logger: app.log,
      ...(options.statusIntervalMs ? { intervalMs: options.statusIntervalMs } : {}),
    });
    // Replicas already running may hold the superuser's old role or token key.
    if (superuserChanged) caches.users.changed(superuserChanged);
    return relay.start();
  });
  const owned: ShutdownStep[] = [
    ...(shared.bus
      ? []
      : [
          {
            name: "bus",
            run: async () => {
              busStarting.abort();
              await busStarted;
              await bus.stop();
            },
          },
        ]),
    ...(shared.db ? [] : [{ name: "database", run: () => db.close() }]),
  ];
  return {
    id,
    app,
    db,
    lifecycle,
    publish,
    bus,
    relay,
    caches,
    stop: () =>
      runShutdown(
        [
          { name: "drain", run: () => lifecycle.startDraining() },
          {
            name: "status",
            run: () => {
              // A bus that starts from now on starts nothing more (see the relay step).
              busStarting.abort();
              beacon?.stop();
              stopListening();
            },
          },
          { name: "http", run: () => app.close() },
          { name: "grpc", run: () => publish.stop() },
          {
            name: "relay",
            run: async () => {
              busStarting.abort();
              stopFollowing();
              stopObservingBacklog();
              await relay.stop();
            },
          },
          ...owned,
        ],
        app.log,
      ),
  };
}

/**
 * True when no enabled superuser exists (the start prints how to make one): a disabled one cannot
 * sign in, so it is no way in.
 */
export async function needsSuperuser(db: Database): Promise<boolean> {
  const enabled = await db.prisma.user.count({ where: { role: "superuser", disabled: false } });
  return enabled === 0;
}
