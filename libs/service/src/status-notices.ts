import { z } from "zod";

// What every process tells the cluster about itself on the bus (fire-and-forget notices, not
// stored): a status heartbeat every few seconds and a goodbye when it stops cleanly. The records
// service keeps the latest of each for its admin API (docs/admin-api.md).

/** Bus notice topic of the status heartbeats and goodbyes. */
export const STATUS_TOPIC = "status";

/** How often a process announces its status. */
export const DEFAULT_STATUS_INTERVAL_MS = 2_000;

/** A process id: `<service>-<random hex>` as {@link newProcessId} makes them. */
export const processIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/);

const count = z.number().int().min(0);
/** A consumer figure, or null when the consumer's state could not be read for this beat. */
const lag = count.nullable();
const byTransport = z
  .record(z.string().min(1).max(64), count)
  .refine((counts) => Object.keys(counts).length <= 64, "at most 64 transports");

const recordsStatus = z.object({ service: z.literal("records") });
const evaluatorStatus = z.object({
  service: z.literal("evaluator"),
  /** The partitions this replica holds, with each one's consumer lag. */
  partitions: z.array(z.object({ partition: count, pending: lag, ackPending: lag })).max(100_000),
});
const gatewayStatus = z.object({
  service: z.literal("gateway"),
  /** Open connections by transport, as the gateway's metrics label them. */
  connections: byTransport,
  /** Live subscriptions by transport. */
  subscriptions: byTransport,
});

/** What a process reports about its own work; the beacon adds who and when. */
export type ServiceStatus =
  | z.infer<typeof recordsStatus>
  | z.infer<typeof evaluatorStatus>
  | z.infer<typeof gatewayStatus>;

/** The service a process runs. */
export type ServiceName = ServiceStatus["service"];

const heartbeat = {
  v: z.literal(1),
  type: z.literal("status"),
  id: processIdSchema,
  host: z.string().max(255),
  pid: count,
  startedAt: z.iso.datetime(),
  /** The sender's interval: a receiver forgets it after a few missed beats of its own pace. */
  intervalMs: z.number().int().min(10).max(600_000),
};

const statusNotice = z.discriminatedUnion("service", [
  recordsStatus.extend(heartbeat),
  evaluatorStatus.extend(heartbeat),
  gatewayStatus.extend(heartbeat),
]);
const goodbyeNotice = z.object({
  v: z.literal(1),
  type: z.literal("goodbye"),
  id: processIdSchema,
});

/** A status heartbeat as sent on the bus. */
export type StatusNotice = z.infer<typeof statusNotice>;
/** What a process stopping cleanly says last. */
export type GoodbyeNotice = z.infer<typeof goodbyeNotice>;

const anyStatusNotice = z.union([statusNotice, goodbyeNotice]);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A notice's bytes on the bus. */
export function encodeNotice(notice: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(notice));
}

/**
 * The notice `data` holds if it is valid for `schema`; undefined for anything else (not JSON, a
 * newer version, a field out of range), which a receiver ignores. Never throws.
 */
export function decodeNotice<T extends z.ZodType>(
  schema: T,
  data: Uint8Array,
): z.infer<T> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** A status heartbeat or goodbye from `data`; undefined when it is malformed. */
export function decodeStatusNotice(data: Uint8Array): StatusNotice | GoodbyeNotice | undefined {
  return decodeNotice(anyStatusNotice, data);
}
