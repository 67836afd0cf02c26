import type { ParkedMessage } from "@tidings/bus";
import { type CollectionCatalog, SYSTEM_FIELDS } from "@tidings/collections";
import { type ChangeEventMessage, type DeadLetterView, decodeChangeEvent } from "@tidings/protocol";

type RecordJson = ChangeEventMessage["record"];

/**
 * The record with only what may be read through the API: the system fields and the fields
 * `readable` names, those it carries. An allowlist, since a parked event may be days old: a field
 * hidden when it was parked, and since renamed or removed, is no longer among the collection's
 * hidden fields, and must not show. (Not `projectRecord`, which adds `null` for a current field
 * the event lacks: this shows the payload a retry republishes.)
 */
function visible(record: RecordJson, readable: readonly string[]): RecordJson {
  const out: Record<string, unknown> = {};
  for (const name of [...SYSTEM_FIELDS, ...readable])
    if (Object.hasOwn(record, name)) out[name] = record[name];
  return out as RecordJson;
}

async function decodeVisible(
  data: Uint8Array,
  collections: CollectionCatalog,
): Promise<ChangeEventMessage | null> {
  let event: ChangeEventMessage;
  try {
    event = decodeChangeEvent(data);
  } catch {
    return null;
  }
  const known = await collections.byId(event.collectionId);
  // The collection's fields now, not hidden; none when it is gone (only the system fields show).
  const readable = (known?.def.fields ?? [])
    .filter((field) => !field.hidden)
    .map((field) => field.name);
  return {
    ...event,
    record: visible(event.record, readable),
    oldRecord: event.oldRecord && visible(event.oldRecord, readable),
  };
}

/** A parked message for the admin API: its facts, and its event as a superuser may see it. */
export async function deadLetterView(
  parked: ParkedMessage,
  collections: CollectionCatalog,
): Promise<DeadLetterView> {
  return {
    seq: parked.seq,
    partition: parked.partition,
    subject: parked.originalSubject,
    originalSeq: parked.originalSeq,
    deliveries: parked.deliveries,
    reason: parked.reason,
    parkedAt: parked.time.toISOString(),
    event: await decodeVisible(parked.data, collections),
  };
}
