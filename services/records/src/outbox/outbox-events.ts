import { CHANGE_EVENT_VERSION, type ChangeEventMessage } from "@tidings/protocol";

/** An outbox row as the relay reads it. */
export interface OutboxRow {
  seq: string | number | bigint;
  collection_id: string;
  collection_name: string;
  action: string;
  record: ChangeEventMessage["record"];
  old_record: ChangeEventMessage["oldRecord"];
  socket_id: string | null;
  at: Date | string;
}

/** Columns the relay selects, in the order of {@link OutboxRow}. */
export const OUTBOX_COLUMNS =
  "seq, collection_id, collection_name, action, record, old_record, socket_id, at";

/**
 * The event's id, also its de-duplication id on the bus: the database instance keeps ids unique
 * when a database is recreated while the stream lives on.
 */
export function outboxEventId(instance: string, seq: string | number | bigint): string {
  return `${instance}:${seq}`;
}

/** The outbox seq behind an event id of this instance, or undefined for another instance's id. */
export function outboxSeqOf(instance: string, eventId: string | undefined): bigint | undefined {
  const prefix = `${instance}:`;
  if (!eventId?.startsWith(prefix)) return undefined;
  const seq = eventId.slice(prefix.length);
  return /^\d+$/.test(seq) ? BigInt(seq) : undefined;
}

/** The change event a row describes. */
export function toChangeEvent(instance: string, row: OutboxRow): ChangeEventMessage {
  return {
    v: CHANGE_EVENT_VERSION,
    id: outboxEventId(instance, row.seq),
    collectionId: row.collection_id,
    collectionName: row.collection_name,
    action: row.action as ChangeEventMessage["action"],
    record: row.record,
    oldRecord: row.old_record ?? null,
    socketId: row.socket_id,
    at: typeof row.at === "string" ? new Date(row.at).toISOString() : row.at.toISOString(),
  };
}
