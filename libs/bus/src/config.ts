import { BusConfigError } from "./errors.ts";
import { checkGroup } from "./naming.ts";
import type { BusStreamKind, ConsumeOptions } from "./types.ts";

const HOUR = 3_600_000;
const MIB = 1024 * 1024;

/** How much of a stream is kept. Whichever limit is hit first trims the oldest messages. */
export interface RetentionConfig {
  /** Age after which a message is removed; 0 keeps messages forever. */
  maxAgeMs?: number;
  /** Size of the stream beyond which the oldest messages are removed; -1 for no limit. */
  maxBytes?: number;
  /** Count beyond which the oldest messages are removed; -1 for no limit. @default -1 */
  maxMsgs?: number;
}

/** Configuration shared by both implementations. */
export interface BusConfig {
  /** Subject prefix; stream names derive from it, so each deployment or test has its own. @default "tidings" */
  prefix?: string;
  /** Number of event partitions; publishers and consumers must agree. @default 8 */
  partitions?: number;
  /** Window within which a re-published msgId is answered as a duplicate. @default 120000 (2 min) */
  duplicateWindowMs?: number;
  /** Time a publish waits for the stream's answer. @default 5000 */
  publishTimeoutMs?: number;
  /** Stream replicas in a JetStream cluster. @default 1 */
  replicas?: number;
  /**
   * Retention per stream. @default events: 24 h / 1 GiB; subs: 24 h / 256 MiB; dlq: 14 days / 256 MiB.
   * The events stream bounds how far back a client can resume.
   */
  retention?: Partial<Record<BusStreamKind, RetentionConfig>>;
}

/** {@link RetentionConfig} with every value set. */
export type Retention = Required<RetentionConfig>;

/** {@link BusConfig} with every value set. */
export interface ResolvedBusConfig {
  prefix: string;
  partitions: number;
  duplicateWindowMs: number;
  publishTimeoutMs: number;
  replicas: number;
  retention: Record<BusStreamKind, Retention>;
}

/** {@link ConsumeOptions} with every value set. */
export type ResolvedConsumeOptions = Required<ConsumeOptions>;

const DEFAULT_RETENTION: Record<BusStreamKind, Retention> = {
  events: { maxAgeMs: 24 * HOUR, maxBytes: 1024 * MIB, maxMsgs: -1 },
  subs: { maxAgeMs: 24 * HOUR, maxBytes: 256 * MIB, maxMsgs: -1 },
  dlq: { maxAgeMs: 14 * 24 * HOUR, maxBytes: 256 * MIB, maxMsgs: -1 },
};

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new BusConfigError(`${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/** Fills in defaults and checks ranges. */
export function resolveBusConfig(config: BusConfig = {}): ResolvedBusConfig {
  const retention = {} as Record<BusStreamKind, Retention>;
  for (const kind of ["events", "subs", "dlq"] as const) {
    const merged = { ...DEFAULT_RETENTION[kind], ...config.retention?.[kind] };
    positiveInt(`retention.${kind}.maxAgeMs`, merged.maxAgeMs, 0);
    retention[kind] = merged;
  }
  return {
    prefix: config.prefix ?? "tidings",
    partitions: Math.min(positiveInt("partitions", config.partitions ?? 8), 1024),
    duplicateWindowMs: positiveInt("duplicateWindowMs", config.duplicateWindowMs ?? 120_000),
    publishTimeoutMs: positiveInt("publishTimeoutMs", config.publishTimeoutMs ?? 5_000),
    replicas: positiveInt("replicas", config.replicas ?? 1),
    retention,
  };
}

/** Fills in consumer defaults and checks that the lease outlives the ack wait. */
export function resolveConsumeOptions(options: ConsumeOptions): ResolvedConsumeOptions {
  const ackWaitMs = positiveInt("ackWaitMs", options.ackWaitMs ?? 10_000, 100);
  const resolved: ResolvedConsumeOptions = {
    group: options.group ?? "evaluator",
    batchSize: positiveInt("batchSize", options.batchSize ?? 64),
    ackWaitMs,
    maxDeliver: positiveInt("maxDeliver", options.maxDeliver ?? 5),
    backoff: options.backoff ?? [250, 1_000, 5_000, 15_000, 30_000],
    pollMs: positiveInt("pollMs", options.pollMs ?? 5_000, 1_000),
    leaseMs: positiveInt("leaseMs", options.leaseMs ?? ackWaitMs + 2_000, 100),
    heartbeatMs: positiveInt("heartbeatMs", options.heartbeatMs ?? 1_000, 10),
  };
  checkGroup(resolved.group);
  if (resolved.backoff.length === 0 || resolved.backoff.some((ms) => !(ms >= 0))) {
    throw new BusConfigError("backoff must be a non-empty list of delays >= 0");
  }
  // A successor must find the dead replica's messages already up for redelivery.
  if (resolved.leaseMs <= ackWaitMs) {
    throw new BusConfigError(`leaseMs (${resolved.leaseMs}) must exceed ackWaitMs (${ackWaitMs})`);
  }
  return resolved;
}

/** Delay before the redelivery that follows failed delivery number `attempt` (1-based). */
export function backoffDelay(backoff: readonly number[], attempt: number): number {
  const index = Math.min(Math.max(attempt, 1), backoff.length) - 1;
  return backoff[index] ?? 0;
}
