import type { ParkedMessage } from "@tidings/bus";
import { type CollectionCatalog, SYSTEM_FIELDS } from "@tidings/collections";
import { type ChangeEventMessage, decodeChangeEvent } from "@tidings/protocol";

/** One dead letter as `GET /api/admin/dead-letters` lists it. */
export interface DeadLetterView {
  /** Its sequence in the dead-letter stream: what retry and drop name. */
  seq: number;
  partition: number;
  /** The events subject it was published on, where a retry publishes it again. */
  subject: string;
  /** Its sequence in the events stream. */
  originalSeq: number;
  deliveries: number;
  reason: string;
  parkedAt: string;
  /** The change event, hidden fields removed; null when the payload is not a valid change event. */
  event: ChangeEventMessage | null;
}

type RecordJson = ChangeEventMessage["record"];

/**
 * The record without the fields no one may read through the API: the collection's hidden fields,
 * or, when the collection is gone (its fields unknown), everything but the system fields.
 */
function visible(record: RecordJson, hidden: ReadonlySet<string> | undefined): RecordJson {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    const system = (SYSTEM_FIELDS as readonly string[]).includes(name);
    if (system || (hidden !== undefined && !hidden.has(name))) out[name] = value;
  }
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
  const hidden = known
    ? new Set(known.def.fields.filter((field) => field.hidden).map((field) => field.name))
    : undefined;
  return {
    ...event,
    record: visible(event.record, hidden),
    oldRecord: event.oldRecord && visible(event.oldRecord, hidden),
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
