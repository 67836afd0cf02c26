import type { MatchChange } from "@tidings/filter";
import type {
  ChangeAction,
  ChangeEventMessage,
  ChangePayload,
  SubscribableAction,
} from "@tidings/protocol";
import type { CollectionDef } from "./collection.ts";
import { projectRecord, type RecordJson } from "./record-shape.ts";

/** The delivery preferences a group carries (its `extra`): actions wanted and fields selected. */
export interface DeliveryPreferences {
  events: readonly SubscribableAction[];
  select: readonly string[];
}

/** Reads the preferences back from a group's `extra` (see `deliveryExtra`). */
export function preferencesOf(extra: string): DeliveryPreferences {
  const [events, select] = JSON.parse(extra) as [SubscribableAction[], string[]];
  return { events, select };
}

function actionOf(event: ChangeEventMessage, change: MatchChange): ChangeAction {
  if (change === "entered") return "entered";
  if (change === "left") return "left";
  return event.action;
}

/**
 * What one group receives for a change, or null when its preferences exclude it. A record that
 * leaves the view arrives as its id only: the subscriber may no longer see its content. Entering
 * and leaving count as updates for the `events` preference.
 */
export function deliveryFor(
  collection: CollectionDef,
  channel: string,
  preferences: DeliveryPreferences,
  event: ChangeEventMessage,
  change: MatchChange,
  seq: number,
): ChangePayload | null {
  if (preferences.events.length > 0 && !preferences.events.includes(event.action)) return null;
  const action = actionOf(event, change);
  const select = preferences.select;
  if (action === "left") {
    const { id, collectionId, collectionName } = event.record;
    return { channel, action, record: { id, collectionId, collectionName }, seq, at: event.at };
  }
  const payload: ChangePayload = {
    channel,
    action,
    record: projectRecord(collection, event.record as RecordJson, select),
    seq,
    at: event.at,
  };
  if (action === "updated" && event.oldRecord) {
    payload.oldRecord = projectRecord(collection, event.oldRecord as RecordJson, select);
  }
  return payload;
}
