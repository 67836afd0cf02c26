import { openDatabase } from "@tidings/db";
import {
  createBus,
  createLifecycle,
  createLogger,
  createRedisClient,
  registerHealthRoutes,
  runShutdown,
} from "@tidings/service";
import Fastify, { type FastifyInstance } from "fastify";
import type { EvaluatorConfig } from "./config.ts";
import { createEvaluator, type Evaluator } from "./evaluator.ts";
import { redisRoomEmitter } from "./redis-room-emitter.ts";

/** A running evaluator process. */
export interface RunningEvaluator {
  evaluator: Evaluator;
  /** Serves /healthz and /readyz (not yet listening). */
  health: FastifyInstance;
  stop(): Promise<void>;
}

/** Connects to PostgreSQL, NATS and Redis and starts an evaluator replica with its health endpoints. */
export async function startEvaluator(config: EvaluatorConfig): Promise<RunningEvaluator> {
  const health = Fastify({ loggerInstance: createLogger(config.logLevel) });
  const logger = health.log;
  if (config.unknownVariables.length > 0)
    logger.warn(
      { variables: config.unknownVariables },
      "unknown TIDINGS_* variables (typos?) are ignored",
    );
  // The records service owns the schema: an evaluator only checks it is current.
  const db = await openDatabase({
    url: config.databaseUrl,
    poolSize: config.poolSize,
    ...(config.databaseDirectUrl ? { directUrl: config.databaseDirectUrl } : {}),
    migrate: false,
  });
  // No offline queue: while Redis is down an emit fails at once, and the batch waits in the bus.
  const redis = createRedisClient(config.redis, "emitter", logger);
  const bus = createBus(config.bus, logger);
  await bus.start();
  const evaluator = createEvaluator(
    {
      prisma: db.prisma,
      bus,
      emitter: redisRoomEmitter(redis, { channelPrefix: config.redisPrefix }),
      logger,
    },
    {
      batchSize: config.batchSize,
      consume: { ackWaitMs: config.ackWaitMs, leaseMs: config.ackWaitMs + 2_000 },
    },
  );
  await evaluator.start();
  const lifecycle = createLifecycle();
  registerHealthRoutes(health, lifecycle, {
    database: () => db.ping(),
    redis: async () => {
      await redis.ping();
    },
  });
  return {
    evaluator,
    health,
    stop: () =>
      runShutdown(
        [
          { name: "drain", run: () => lifecycle.startDraining() },
          { name: "evaluator", run: () => evaluator.stop() },
          { name: "bus", run: () => bus.stop() },
          { name: "http", run: () => health.close() },
          { name: "redis", run: () => void redis.disconnect() },
          { name: "database", run: () => db.close() },
        ],
        logger,
      ),
  };
}
