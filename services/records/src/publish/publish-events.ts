import type { PrismaClient } from "@tidings/db";
import { appendOutboxMany, type OutboxEntry } from "../outbox/outbox-writer.ts";
import { claimKeys } from "./idempotency-keys.ts";
import { validatePublish } from "./publish-validation.ts";

/** What a publish did. */
export interface PublishResult {
  /** Events written to the outbox. */
  accepted: number;
  /** Events skipped because their idempotency key had been accepted before. */
  duplicates: number;
}

/** Who publishes, and when. */
export interface PublishContext {
  /** The writer's realtime connection, left out of the events. */
  socketId: string | undefined;
  now: Date;
}

// A busy embedded database may make a full batch wait for its turn longer than Prisma's default 5 s.
const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * The internal publish API behind both transports: validates one event or `{events}` (all or
 * nothing), then writes each new event as an outbox row, in order, in one transaction with its
 * idempotency key, exactly as a record write would have written it.
 */
export async function publishEvents(
  prisma: PrismaClient,
  body: unknown,
  ctx: PublishContext,
): Promise<PublishResult> {
  const events = await validatePublish(prisma, body, ctx.now);
  return prisma.$transaction(
    async (tx) => {
      const fresh = await claimKeys(
        tx,
        events.flatMap((event) => (event.idempotencyKey ? [event.idempotencyKey] : [])),
      );
      const accepted: OutboxEntry[] = [];
      for (const event of events) {
        // The first event with a fresh key takes it; a repeat later in the batch is a duplicate.
        if (event.idempotencyKey !== undefined && !fresh.delete(event.idempotencyKey)) continue;
        accepted.push({ ...event.entry, socketId: ctx.socketId });
      }
      // One multi-row insert, in the batch's order: a thousand events cost one round trip.
      await appendOutboxMany(tx, accepted);
      return { accepted: accepted.length, duplicates: events.length - accepted.length };
    },
    { timeout: TRANSACTION_TIMEOUT_MS },
  );
}
