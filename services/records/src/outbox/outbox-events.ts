import {
  CHANGE_EVENT_HEADERS,
  CHANGE_EVENT_VERSION,
  type ChangeEventMessage,
} from "@tidings/protocol";

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
  /** The writer's trace context, or null when it traced nothing. */
  trace_context: Record<string, string> | null;
  /** The collection's `updated` when the relay read the row; null when it is gone. */
  rules_version: Date | string | null;
}

/**
 * One round trip per relay round: marks the rows the previous round published ($2) as sent, and
 * selects the next unsent rows above seq $3 ($1 at most; see ScanFloor), oldest first, with the
 * current version of each row's collection (evaluators reload a definition older than that). The marking is not visible to the
 * SELECT of the same statement, hence the rows just marked are left out explicitly.
 */
export const MARK_AND_SELECT_UNSENT = `WITH marked AS (UPDATE outbox SET sent_at = now() WHERE seq = ANY($2::bigint[]) RETURNING seq)
  SELECT o.seq, o.collection_id, o.collection_name, o.action, o.record, o.old_record, o.socket_id, o.trace_context, o.at, c.updated AS rules_version
  FROM outbox o LEFT JOIN collections c ON c.id = o.collection_id
  WHERE o.sent_at IS NULL AND o.seq > $3 AND NOT (o.seq = ANY($2::bigint[]))
  ORDER BY o.seq LIMIT $1`;

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

const iso = (value: Date | string) =>
  typeof value === "string" ? new Date(value).toISOString() : value.toISOString();

/** The headers that spare evaluators a round trip per batch (see CHANGE_EVENT_HEADERS). */
export function changeEventHeaders(row: OutboxRow, subsSeq: number): Record<string, string> {
  return {
    [CHANGE_EVENT_HEADERS.subsSeq]: String(subsSeq),
    [CHANGE_EVENT_HEADERS.rulesVersion]: row.rules_version === null ? "" : iso(row.rules_version),
  };
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
    at: iso(row.at),
  };
}
