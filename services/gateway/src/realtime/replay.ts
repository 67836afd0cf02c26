import type { Bus } from "@tidings/bus";
import {
  type CollectionDef,
  type CompiledRules,
  deliveryFor,
  groupInputOf,
  preferencesOf,
  realtimeRules,
} from "@tidings/collections";
import { SubscriptionIndex } from "@tidings/filter";
import {
  type ChangePayload,
  decodeChangeEvent,
  type SubscriptionSpec,
  TidingsError,
} from "@tidings/protocol";

const PAGE = 1_000;

/**
 * Throws `RESYNC_REQUIRED` unless every event after `seq` can be replayed: older ones may have left
 * the retained history, and a seq beyond the stream's end means the history itself was reset (a
 * single node restarted its in-process bus), so the client's position means nothing any more.
 */
export async function assertResumable(bus: Bus, seq: number): Promise<void> {
  const info = await bus.info("events");
  if (seq + 1 < info.firstSeq || seq > info.lastSeq) {
    throw new TidingsError(
      "RESYNC_REQUIRED",
      "The events after this seq cannot be replayed; refetch, then subscribe again.",
      {
        oldestSeq: info.firstSeq,
        lastSeq: info.lastSeq,
      },
    );
  }
}

/**
 * Sends a resuming subscription what it missed: every change after `fromSeq`, up to the stream's
 * end when called, judged exactly as the evaluators judge live events (current rules, the
 * subscriber's auth, entered/left, projection). Returns how many were sent and up to which seq.
 */
export async function replayMissed(
  deps: { bus: Bus; collection: CollectionDef; rules: CompiledRules },
  spec: SubscriptionSpec,
  fromSeq: number,
  send: (payload: ChangePayload) => void,
  /** Resolves when the client has room for more (called between pages). */
  drained: () => Promise<void> = async () => {},
): Promise<{ replayed: number; throughSeq: number }> {
  const { bus, collection, rules } = deps;
  const through = await bus.lastSeq("events");
  const index = new SubscriptionIndex({ ...realtimeRules(rules), scope: collection.id });
  index.add({ id: spec.id, ...groupInputOf(collection, spec) });
  const preferences = preferencesOf(index.groupOf(spec.id)?.extra ?? "[[],[]]");
  const subject = bus.subjects.eventFor(collection.id);
  let replayed = 0;
  for (let next = fromSeq + 1; next <= through; ) {
    const page = await bus.read(subject, next, { toSeq: through, limit: PAGE });
    if (page.length === 0) break;
    for (const record of page) {
      let event: ReturnType<typeof decodeChangeEvent>;
      try {
        event = decodeChangeEvent(record.data);
      } catch {
        continue; // parked by the evaluators too
      }
      if (event.collectionId !== collection.id) continue;
      const matches = index.match({
        action: event.action,
        record: event.record,
        oldRecord: event.oldRecord,
      });
      for (const { group, change } of matches) {
        const payload = deliveryFor(collection, group.key, preferences, event, change, record.seq);
        if (payload) {
          send(payload);
          replayed += 1;
        }
      }
    }
    next = (page.at(-1)?.seq ?? through) + 1;
    await drained();
  }
  return { replayed, throughSeq: through };
}
