import type { Bus, ConsumeOptions, PartitionConsumer, Tail } from "@tidings/bus";
import { CollectionCatalog, specFromRow } from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import { decodeSubscriptionDelta } from "@tidings/protocol";
import { type Logger, newProcessId, type StatusBeacon, startStatusBeacon } from "@tidings/service";
import { createBatchEvaluator, resubscribeEmits } from "./batch-evaluator.ts";
import { retryableWhenDatabaseDown } from "./dependency-errors.ts";
import { observePartitions, partitionStatus } from "./evaluator-telemetry.ts";
import { MatcherRegistry } from "./matcher-registry.ts";
import type { RoomEmitter } from "./room-emitter.ts";

/** Tuning of an evaluator replica. */
export interface EvaluatorOptions {
  /** Events handled per batch (also what one replica holds unacknowledged per partition). @default 64 */
  batchSize?: number;
  /** Subscriptions read from the database per query at start-up. @default 5000 */
  loadPageSize?: number;
  /** Ack wait, lease and heartbeat timings of the partition consumer (see the bus). */
  consume?: Omit<ConsumeOptions, "group" | "batchSize">;
  /** Time between two status heartbeats on the bus. @default DEFAULT_STATUS_INTERVAL_MS */
  statusIntervalMs?: number;
}

/** An evaluator replica: stateless, any number may run, each may die at any time. */
export interface Evaluator {
  /** The replica's id in its status heartbeats. */
  readonly id: string;
  readonly registry: MatcherRegistry;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Partitions this replica currently handles. */
  owned(): number[];
}

/**
 * Builds an evaluator replica. At start it notes the subscription stream's position, loads every
 * stored subscription, then applies the deltas published since (deltas are idempotent), so no
 * subscription can fall in between; then it takes its share of the event partitions.
 */
export function createEvaluator(
  deps: {
    prisma: PrismaClient;
    bus: Bus;
    emitter: RoomEmitter;
    logger: Logger;
    /**
     * The process's catalog of collections, already following the bus (single-node mode shares
     * the records service's). @default a catalog of its own, following the bus once started
     */
    collections?: CollectionCatalog;
  },
  options: EvaluatorOptions = {},
): Evaluator {
  const { prisma, bus, emitter, logger } = deps;
  const catalog = deps.collections ?? new CollectionCatalog(prisma);
  const registry = new MatcherRegistry(catalog);
  let stopFollowing = () => {};
  let stopObserving = () => {};
  let tail: Tail | undefined;
  let consumer: PartitionConsumer | undefined;
  let beacon: StatusBeacon | undefined;
  const id = newProcessId("evaluator");

  async function loadStored(): Promise<void> {
    const take = options.loadPageSize ?? 5_000;
    const stale: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const rows = await prisma.realtimeSubscription.findMany({
        orderBy: { id: "asc" },
        take,
        ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
      });
      for (const row of rows) {
        const channel = await registry.add(specFromRow(row));
        if (channel) stale.push(channel);
      }
      if (rows.length < take) break;
      cursor = rows.at(-1)?.id;
    }
    await emitter.emit(resubscribeEmits(stale));
    logger.info({ subscriptions: registry.size }, "evaluator: subscriptions loaded");
  }

  return {
    id,
    registry,
    owned: () => consumer?.owned() ?? [],
    async start() {
      if (!deps.collections) stopFollowing = catalog.follow(bus);
      const from = await bus.lastSeq("subs");
      await loadStored();
      tail = bus.tail("subs", from + 1, async (record) => {
        const stale = await retryableWhenDatabaseDown(() =>
          registry.apply(decodeSubscriptionDelta(record.data)),
        );
        await emitter.emit(resubscribeEmits(stale));
      });
      await tail.start();
      consumer = bus.consumePartitions(
        { ...options.consume, group: "evaluator", batchSize: options.batchSize ?? 64 },
        createBatchEvaluator({ registry, emitter, deltas: tail, logger }),
      );
      await consumer.start();
      stopObserving = observePartitions(() => consumer);
      const started = consumer;
      beacon = startStatusBeacon(
        bus,
        async () => ({ service: "evaluator", partitions: await partitionStatus(started) }),
        {
          id,
          logger,
          ...(options.statusIntervalMs ? { intervalMs: options.statusIntervalMs } : {}),
        },
      );
    },
    async stop() {
      beacon?.stop();
      stopObserving();
      await consumer?.stop();
      await tail?.stop();
      stopFollowing();
    },
  };
}
