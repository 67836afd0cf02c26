/**
 * The evaluator's pipeline wired part by part, for tests of the evaluator alone: a records app, its
 * outbox relay, evaluator replicas (each with its own bus and Redis client, killable one at a time,
 * with leases short enough to move within a test) and a stand-in gateway that only joins rooms and
 * records what reaches them. It stays apart from the cluster harness (test/support/cluster.ts)
 * because a standalone node runs one evaluator inside it and offers none of these handles; its
 * superuser, users and collections come from the records service's test shortcuts
 * (`@tidings/records/testing`), as shared as the cluster's.
 */
import { type Bus, createJetStreamBus, type JetStreamBusConfig } from "@tidings/bus";
import {
  buildSubscriptionSpec,
  collectionFromRow,
  compileRules,
  createSharedCaches,
  followChanges,
  rowFromSpec,
  type SubscriptionRequest,
} from "@tidings/collections";
import { newId } from "@tidings/db";
import { openTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { createEvaluator, type Evaluator, redisRoomEmitter } from "@tidings/evaluator";
import { encodeSubscriptionDelta, type SubscriptionSpec } from "@tidings/protocol";
import { buildApp, createOutboxRelay, type OutboxRelay } from "@tidings/records";
import {
  type RecordsHarness,
  recordsHarness,
  TEST_APP_OPTIONS,
  type TestUser,
  testPasswordHash,
} from "@tidings/records/testing";
import { withNats, withRedis } from "@tidings/testing";
import { Redis } from "ioredis";
import { TestGateway } from "./test-gateway.ts";

const silent = process.env.PIPELINE_DEBUG
  ? { debug() {}, info: console.log, warn: console.log, error: console.log }
  : { debug() {}, info() {}, warn() {}, error() {} };

/** One evaluator replica with its own NATS connection and Redis client, as its own process would have. */
export interface EvaluatorReplica {
  evaluator: Evaluator;
  bus: Bus;
  /** Stops like a crash: nothing acknowledged or handed back. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Records service, relay, evaluators and a stand-in gateway on the real PostgreSQL, NATS and Redis. */
export interface Pipeline extends RecordsHarness, AsyncDisposable {
  gateway: TestGateway;
  relay: OutboxRelay;
  evaluators: EvaluatorReplica[];
  /** Starts one more evaluator replica. */
  addEvaluator(): Promise<EvaluatorReplica>;
  /** Stores and announces a subscription as a gateway does; returns its spec (its channel is the room). */
  subscribe(
    who: TestUser | null,
    collection: string,
    request?: SubscriptionRequest,
  ): Promise<SubscriptionSpec>;
}

/** Options of {@link startPipeline}. */
export interface PipelineOptions {
  evaluators?: number;
  /** NATS to use (a test's own server); default the shared one with a unique prefix. */
  natsUrl?: string;
  /** Redis to use (a test's own server); default the shared one with a unique channel prefix. */
  redisUrl?: string;
  bus?: Partial<JetStreamBusConfig>;
}

/** Starts the pipeline for one test; dispose it with `await using`. */
export async function startPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const nats = await withNats(options.natsUrl);
  const redisTarget = await withRedis(options.redisUrl);
  const db: TestDatabase = await openTestDatabase("postgres");
  const busConfig = { servers: nats.url, prefix: nats.prefix, ...options.bus };
  const replicas: EvaluatorReplica[] = [];
  const redisClients: Redis[] = [];

  // Records as startRecords runs it: its caches follow the bus, so its changes are announced.
  const caches = createSharedCaches(db);
  const app = await buildApp(TEST_APP_OPTIONS, { db, caches });
  const records = await recordsHarness(app, db, TEST_APP_OPTIONS, await testPasswordHash());
  const relayBus = createJetStreamBus(busConfig);
  await relayBus.start();
  const stopFollowing = followChanges(caches, relayBus);
  const relay = createOutboxRelay(
    { db, bus: relayBus, logger: silent },
    { pollMs: 200, retryMs: 100 },
  );
  await relay.start();
  const gateway = await TestGateway.start(redisTarget.url, redisTarget.prefix);

  async function addEvaluator(): Promise<EvaluatorReplica> {
    const bus = createJetStreamBus(busConfig, { logger: silent });
    await bus.start();
    const redis = new Redis(redisTarget.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    redisClients.push(redis);
    const emitter = redisRoomEmitter(redis, { channelPrefix: redisTarget.prefix });
    const evaluator = createEvaluator(
      { prisma: db.prisma, bus, emitter, logger: silent },
      // Short leases and retries, so a killed replica's partitions move within a test's patience.
      {
        batchSize: 16,
        consume: {
          ackWaitMs: 1_500,
          leaseMs: 2_500,
          heartbeatMs: 200,
          pollMs: 1_000,
          maxDeliver: 3,
          backoff: [50, 100, 400],
        },
      },
    );
    await evaluator.start();
    const replica: EvaluatorReplica = {
      evaluator,
      bus,
      kill: () => bus.abort(),
      async stop() {
        await evaluator.stop();
        await bus.stop();
      },
    };
    replicas.push(replica);
    return replica;
  }
  for (let i = 0; i < (options.evaluators ?? 1); i += 1) await addEvaluator();

  return {
    ...records,
    gateway,
    relay,
    evaluators: replicas,
    addEvaluator,
    async subscribe(who, name, request = {}) {
      const row = await db.prisma.collection.findUniqueOrThrow({ where: { name } });
      const collection = collectionFromRow(row);
      const connectionId = newId();
      const spec = buildSubscriptionSpec(
        collection,
        compileRules(collection),
        { connectionId, auth: who?.user ?? null, superuser: who?.user.role === "superuser" },
        request,
        newId(),
      );
      await db.prisma.realtimeConnection.create({
        data: { id: connectionId, userId: who?.user.id ?? null, nodeId: "test" },
      });
      await db.prisma.realtimeSubscription.create({
        data: rowFromSpec(spec, who?.user.id ?? null),
      });
      await relayBus.publish(
        relayBus.subjects.subs,
        encodeSubscriptionDelta({ v: 1, type: "add", subscription: spec }),
      );
      return spec;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(replicas.map((replica) => replica.stop().catch(() => {})));
      await relay.stop();
      stopFollowing();
      await relayBus.stop();
      await gateway.close();
      for (const redis of redisClients) redis.disconnect();
      await app.close();
      await db.close();
      await nats.cleanup();
    },
  };
}
