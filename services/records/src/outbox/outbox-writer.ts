import type { RecordJson } from "@tidings/collections";
import type { Prisma, PrismaClient } from "@tidings/db";

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
  await tx.outboxEvent.create({ data: outboxData(entry) });
}

/**
 * The insert of the change event, not yet run: for a batch `prisma.$transaction([write, this])`,
 * which commits both or neither like {@link appendOutbox} does, for less CPU than an interactive
 * transaction when nothing has to be read in between (`npx tsx test/load/write-path.ts`).
 */
export function outboxInsert(prisma: PrismaClient, entry: OutboxEntry) {
  return prisma.outboxEvent.create({ data: outboxData(entry) });
}
