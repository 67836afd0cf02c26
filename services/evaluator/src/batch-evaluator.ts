import {
  type BusMessage,
  MessageFailedError,
  type PartitionHandler,
  type Tail,
} from "@tidings/bus";
import { deliveryFor } from "@tidings/collections";
import { type ChangeEventMessage, decodeChangeEvent, SERVER_EVENTS } from "@tidings/protocol";
import type { Logger } from "@tidings/service";
import { retryableWhenDatabaseDown } from "./dependency-errors.ts";
import type { MatcherRegistry } from "./matcher-registry.ts";
import type { RoomEmit, RoomEmitter } from "./room-emitter.ts";

/** What the batch handler works with. */
export interface BatchEvaluatorDeps {
  registry: MatcherRegistry;
  emitter: RoomEmitter;
  /** The subscription deltas being applied; a batch waits until every delta published so far is in. */
  deltas: Pick<Tail, "sync">;
  logger: Logger;
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

/**
 * Handles one batch of a partition, in order: brings the index up to date (deltas, then
 * collection definitions), matches each event against the groups it can reach, and emits one
 * message per reached group. Emission failures reject the batch, which the bus keeps and retries.
 */
export function createBatchEvaluator(deps: BatchEvaluatorDeps): PartitionHandler {
  const { registry, emitter, deltas } = deps;
  return async (batch) => {
    const events = decodeAll(batch);
    await deltas.sync();
    const stale = await retryableWhenDatabaseDown(() =>
      registry.refresh(events.map((event) => event.collectionId)),
    );
    const emits = resubscribeEmits(stale);
    const now = new Date();
    events.forEach((event, index) => {
      const matcher = registry.get(event.collectionId);
      if (!matcher?.collection.realtime) return;
      const seq = (batch[index] as BusMessage).seq;
      const matches = matcher.index.match(
        { action: event.action, record: event.record, oldRecord: event.oldRecord },
        now,
      );
      for (const { group, change } of matches) {
        const payload = deliveryFor(
          matcher.collection,
          group.key,
          matcher.preferences(group.extra),
          event,
          change,
          seq,
        );
        if (payload)
          emits.push({
            room: group.key,
            event: SERVER_EVENTS.change,
            payload,
            except: event.socketId,
          });
      }
    });
    await emitter.emit(emits);
  };
}
