import type { Span } from "@opentelemetry/api";
import {
  type BusMessage,
  MessageFailedError,
  type PartitionHandler,
  type Tail,
} from "@tidings/bus";
import { deliveryFor } from "@tidings/collections";
import {
  CHANGE_EVENT_HEADERS,
  type ChangeEventMessage,
  decodeChangeEvent,
  SERVER_EVENTS,
} from "@tidings/protocol";
import type { Logger } from "@tidings/service";
import { retryableWhenDatabaseDown } from "./dependency-errors.ts";
import { BatchTelemetry, deliveryMeta } from "./evaluator-telemetry.ts";
import type { MatcherRegistry } from "./matcher-registry.ts";
import type { RoomEmit, RoomEmitter } from "./room-emitter.ts";

/** What the batch handler works with. */
export interface BatchEvaluatorDeps {
  registry: MatcherRegistry;
  emitter: RoomEmitter;
  /** The subscription deltas being applied; a batch waits until the deltas its events need are in. */
  deltas: Pick<Tail, "sync" | "position">;
  logger: Logger;
  /** Spans and metrics. @default a BatchTelemetry of its own */
  telemetry?: BatchTelemetry;
}

/** Tells the subscribers of stale channels to subscribe again (they get the new channel). */
export function resubscribeEmits(channels: Iterable<string>): RoomEmit[] {
  return [...new Set(channels)].map((room) => ({
    room,
    event: SERVER_EVENTS.resubscribe,
    payload: { channel: room },
  }));
}

function decodeAll(batch: BusMessage[]): ChangeEventMessage[] {
  return batch.map((message, index) => {
    try {
      return decodeChangeEvent(message.data);
    } catch (error) {
      // Nothing in this message will ever decode: fail it alone, the bus retries and then parks it.
      throw new MessageFailedError(index, { cause: error });
    }
  });
}

// The relay stamps each event with the deltas and the collection version it needs (see
// CHANGE_EVENT_HEADERS): an evaluator already that far along judges at once, without a round trip.
async function catchUp(
  deps: BatchEvaluatorDeps,
  batch: BusMessage[],
  events: ChangeEventMessage[],
): Promise<string[]> {
  const { registry, deltas } = deps;
  let needed = 0;
  // Per collection, the newest version its events were stamped with; null when one was not
  // (the collection is gone, or an older relay published it): the database decides.
  const seen = new Map<string, string | null>();
  events.forEach((event, index) => {
    const { headers } = batch[index] as BusMessage;
    const stamp = Number(headers[CHANGE_EVENT_HEADERS.subsSeq] ?? Number.NaN);
    // Unstamped: wait for every delta published so far.
    needed = Math.max(needed, Number.isSafeInteger(stamp) ? stamp : Number.POSITIVE_INFINITY);
    const version = headers[CHANGE_EVENT_HEADERS.rulesVersion] || null;
    const before = seen.get(event.collectionId);
    if (before === undefined || version === null || (before !== null && version > before))
      seen.set(event.collectionId, version);
  });
  if (deltas.position() < needed) await deltas.sync();
  const stale: string[] = [];
  for (const [collectionId, version] of seen) {
    stale.push(...(await retryableWhenDatabaseDown(() => registry.refresh(collectionId, version))));
  }
  return stale;
}

/**
 * Handles one batch of a partition, in order: brings the index up to date (deltas, then
 * collection definitions), matches each event against the groups it can reach, and emits one
 * message per reached group. Emission failures reject the batch, which the bus keeps and retries.
 */
export function createBatchEvaluator(deps: BatchEvaluatorDeps): PartitionHandler {
  const { registry, emitter } = deps;
  const telemetry = deps.telemetry ?? new BatchTelemetry();
  return async (batch) => {
    const started = telemetry.startBatch(batch);
    // An event's span lasts until its room messages are handed to Redis.
    const spans: Span[] = [];
    try {
      const events = decodeAll(batch);
      const stale = await catchUp(deps, batch, events);
      const emits = resubscribeEmits(stale);
      const now = new Date();
      events.forEach((event, index) => {
        const message = batch[index] as BusMessage;
        const span = telemetry.startEvent(message);
        spans.push(span);
        const matcher = registry.get(event.collectionId);
        if (!matcher?.collection.realtime) return;
        const matchedAt = performance.now();
        const matches = matcher.index.match(
          { action: event.action, record: event.record, oldRecord: event.oldRecord },
          now,
        );
        telemetry.matched(matchedAt);
        const meta = deliveryMeta(event.at, span);
        for (const { group, change } of matches) {
          const payload = deliveryFor(
            matcher.collection,
            group.key,
            matcher.preferences(group.extra),
            event,
            change,
            message.seq,
          );
          if (payload)
            emits.push({
              room: group.key,
              event: SERVER_EVENTS.change,
              payload,
              except: event.socketId,
              meta,
            });
        }
        span.setAttribute("tidings.groups_matched", matches.length);
      });
      await telemetry.emitting(started, emits.length, () => emitter.emit(emits));
    } finally {
      for (const span of spans) span.end();
      telemetry.endBatch(batch, started);
    }
  };
}
