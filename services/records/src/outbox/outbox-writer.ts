import { injectTraceContext } from "@tidings/bus";
import type { RecordJson } from "@tidings/collections";
import type { Prisma } from "@tidings/db";

/** The kinds of change an event reports. */
export type ChangeAction = "created" | "updated" | "deleted";

/** One change, as written next to the record it describes. */
export interface OutboxEntry {
  collectionId: string;
  collectionName: string;
  action: ChangeAction;
  /** The record after the change (for a delete: as it was when deleted), hidden fields included. */
  record: RecordJson;
  /** The record before an update. */
  oldRecord?: RecordJson | undefined;
  /** The writer's realtime connection, so it does not receive its own change. */
  socketId?: string | undefined;
}

/**
 * The trace context of the code writing a change (its `traceparent` and `tracestate`), stored with
 * the outbox row so the relay's publish continues the writer's trace; null when nothing is traced
 * (no propagator registered: tracing is off), which keeps the row as it was.
 */
export function writerTraceContext(): Record<string, string> | null {
  const carrier = injectTraceContext();
  return Object.keys(carrier).length > 0 ? carrier : null;
}

// The outbox row of a change.
function outboxData(entry: OutboxEntry): Prisma.OutboxEventCreateInput {
  return {
    collectionId: entry.collectionId,
    collectionName: entry.collectionName,
    action: entry.action,
    recordId: entry.record.id,
    record: entry.record as Prisma.InputJsonValue,
    oldRecord: (entry.oldRecord ?? undefined) as Prisma.InputJsonValue | undefined,
    socketId: entry.socketId ?? null,
    traceContext: writerTraceContext() ?? undefined,
  };
}

/**
 * Appends the change event inside the caller's transaction: the event exists exactly when the
 * write committed, so a crash can delay it but never lose it.
 */
export async function appendOutbox(
  tx: Prisma.TransactionClient,
  entry: OutboxEntry,
): Promise<void> {
  await appendOutboxMany(tx, [entry]);
}

/** Appends several change events, in this order, with one statement (see {@link appendOutbox}). */
export async function appendOutboxMany(
  tx: Prisma.TransactionClient,
  entries: readonly OutboxEntry[],
): Promise<void> {
  if (entries.length > 0) await tx.outboxEvent.createMany({ data: entries.map(outboxData) });
}
