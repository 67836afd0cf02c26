import { createTokenService, resolveJwtSecret } from "@tidings/auth";
import { openDatabase } from "@tidings/db";
import {
  createEvaluator,
  type EvaluatorOptions,
  evaluatorEnv,
  localRoomEmitter,
  redisRoomEmitter,
} from "@tidings/evaluator";
import {
  createRealtimeNode,
  type Gateway,
  type GatewayConfig,
  type GatewayServer,
  gatewayConfigFrom,
  gatewayEnv,
} from "@tidings/gateway";
import { type RecordsConfig, type RunningRecords, startRecords } from "@tidings/records";
import {
  createBus,
  createLogger,
  createRedisClient,
  parseEnv,
  runShutdown,
} from "@tidings/service";
import { demoPage } from "./demo-page.ts";

/** Everything one process runs, and how to stop it. */
export interface Standalone {
  records: RunningRecords;
  /** The evaluator's id in the status heartbeats. */
  evaluatorId: string;
  /** The Socket.IO server (for observability and tests). */
  io: GatewayServer;
  /** The realtime gateway, on which compatibility protocols are built. */
  gateway: Gateway;
  gatewayConfig: GatewayConfig;
  stop(): Promise<void>;
}

/** Tuning of the single node that is not configuration. */
export interface StandaloneOptions {
  /** Retries before an event is parked, ack wait and lease timings of the evaluator. */
  consume?: EvaluatorOptions["consume"];
  /**
   * Time between two status heartbeats of each part (records, evaluator and gateway announce
   * themselves separately, with this process's pid). @default DEFAULT_STATUS_INTERVAL_MS
   */
  statusIntervalMs?: number;
}

const { TIDINGS_EVALUATOR_BATCH_SIZE } = evaluatorEnv;
/** Variables of the gateway and evaluator that the all-in-one process reads too. */
export const standaloneExtraEnv = { ...gatewayEnv, TIDINGS_EVALUATOR_BATCH_SIZE };

/**
 * Records, evaluator and gateway in one process on one port (REST and Socket.IO), sharing one
 * database, bus and Socket.IO server. On embedded defaults this is the single-node server; given
 * PostgreSQL, NATS and Redis it is a full member of a cluster. Not yet listening.
 */
export async function startStandalone(
  base: RecordsConfig,
  env: NodeJS.ProcessEnv = process.env,
  options: StandaloneOptions = {},
): Promise<Standalone> {
  const { statusIntervalMs } = options;
  const status = statusIntervalMs ? { statusIntervalMs } : {};
  const extra = parseEnv(standaloneExtraEnv, env).values;
  const gatewayConfig = gatewayConfigFrom(extra);
  const log = createLogger(base.logLevel);
  const db = await openDatabase(base.database);
  const bus = createBus(base.bus, log);
  await bus.start();
  const records = await startRecords(base, { db, bus, logger: log }, status);
  // The live-view demo at `/`; its routes stay clear of /api and /socket.io.
  await records.app.register(demoPage);
  const secret = await resolveJwtSecret(base.jwt.secret, base.dataDir);
  // One set of caches for the three services: records announces changes, all of them follow.
  const tokens = createTokenService({ ...base.jwt, secret }, db.prisma, records.caches.users);
  const node = await createRealtimeNode(
    records.app,
    {
      prisma: db.prisma,
      sql: db.sql,
      bus,
      tokens,
      collections: records.caches.collections,
      lifecycle: records.lifecycle,
      logger: log,
      env,
      corsOrigins: base.corsOrigins,
      ...status,
    },
    gatewayConfig,
  );
  const { sockets, gateway } = node;
  const emitRedis = gatewayConfig.redis
    ? createRedisClient(gatewayConfig.redis, "emitter", log)
    : undefined;
  const evaluator = createEvaluator(
    {
      prisma: db.prisma,
      bus,
      emitter: emitRedis
        ? redisRoomEmitter(emitRedis, { channelPrefix: gatewayConfig.redisPrefix })
        : localRoomEmitter(sockets.io.of("/").adapter),
      logger: log,
      collections: records.caches.collections,
    },
    {
      batchSize: extra.TIDINGS_EVALUATOR_BATCH_SIZE,
      ...status,
      ...(options.consume ? { consume: options.consume } : {}),
    },
  );
  await evaluator.start();
  node.start();
  return {
    records,
    evaluatorId: evaluator.id,
    io: sockets.io,
    gateway,
    gatewayConfig,
    stop: () =>
      runShutdown(
        [
          { name: "drain", run: () => records.lifecycle.startDraining() },
          ...node.shutdownSteps(),
          { name: "evaluator", run: () => evaluator.stop() },
          { name: "records", run: () => records.stop() },
          { name: "sockets", run: () => sockets.close() },
          { name: "redis", run: () => void emitRedis?.disconnect() },
          { name: "bus", run: () => bus.stop() },
          { name: "database", run: () => db.close() },
        ],
        log,
      ),
  };
}
