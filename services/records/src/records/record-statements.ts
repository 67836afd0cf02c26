import {
  type CollectionDef,
  type RecordJson,
  SqlParams,
  USERS_COLLECTION,
} from "@tidings/collections";
import type { SqlClient } from "@tidings/db";
import { type OutboxEntry, writerTraceContext } from "../outbox/outbox-writer.ts";

// A write and its change event in ONE statement: the record's INSERT, UPDATE or DELETE is a CTE
// whose returned row feeds the outbox INSERT, so both commit together (autocommit) or neither,
// in one round trip — where Prisma took five (BEGIN, lock, write, outbox, COMMIT) plus its own
// cost per query. The relations the record points to are checked in the same statement.

/** A row as the writes read it. */
export interface StoredRow {
  id: string;
  data: Record<string, unknown> | null;
  created: Date | string;
  updated: Date | string;
  version: number;
}

/** The record as it is stored now, with its version (the write's precondition). */
export async function readRow(
  sql: SqlClient,
  collection: CollectionDef,
  id: string,
): Promise<StoredRow | undefined> {
  const [row] = await sql.query<StoredRow>(
    "SELECT id, data, created, updated, version FROM records WHERE collection_id = $1 AND id = $2",
    [collection.id, id],
  );
  return row;
}

/** True in SQL when every id in every relation field of `values` exists in its target. */
export function relationsExist(
  collection: CollectionDef,
  values: Record<string, unknown>,
  params: SqlParams,
): string {
  const checks: string[] = [];
  for (const field of collection.fields) {
    const value = values[field.name];
    if (field.type !== "relation" || value === null || value === undefined || !field.collection)
      continue;
    const ids = Array.isArray(value) ? (value as string[]) : [value as string];
    if (ids.length === 0) continue;
    const list = `${params.add(ids)}::text[]`;
    const count =
      field.collection === USERS_COLLECTION
        ? `SELECT count(*) FROM users WHERE id = ANY(${list})`
        : `SELECT count(*) FROM records x JOIN collections xc ON xc.id = x.collection_id WHERE xc.name = ${params.add(field.collection)} AND x.id = ANY(${list})`;
    checks.push(`(${count}) = ${ids.length}`);
  }
  return checks.length > 0 ? checks.join(" AND ") : "TRUE";
}

/** The writer's trace context as the outbox's `trace_context` parameter (JSON text or null). */
export function traceContextJson(): string | null {
  const carrier = writerTraceContext();
  return carrier === null ? null : JSON.stringify(carrier);
}

// The outbox INSERT fed by the CTE `rec` (one row when the write happened, none otherwise).
function outboxFromRec(entry: OutboxEntry, params: SqlParams): string {
  const values = [
    params.add(entry.collectionId),
    params.add(entry.collectionName),
    params.add(entry.action),
    "rec.id",
    `${params.add(JSON.stringify(entry.record))}::jsonb`,
    `${params.add(entry.oldRecord === undefined ? null : JSON.stringify(entry.oldRecord))}::jsonb`,
    params.add(entry.socketId ?? null),
    `${params.add(traceContextJson())}::jsonb`,
  ];
  return `INSERT INTO outbox (collection_id, collection_name, action, record_id, record, old_record, socket_id, trace_context) SELECT ${values.join(", ")} FROM rec RETURNING seq`;
}

/**
 * Inserts a record and its `created` event. False when a relation points to nothing (nothing
 * is written); a taken id fails with the driver's unique violation.
 */
export async function insertWithEvent(
  sql: SqlClient,
  collection: CollectionDef,
  values: Record<string, unknown>,
  entry: OutboxEntry & { record: RecordJson },
  at: Date,
): Promise<boolean> {
  const p = new SqlParams();
  const insert = `INSERT INTO records (collection_id, id, data, version, created, updated) SELECT ${p.add(collection.id)}, ${p.add(entry.record.id)}, ${p.add(JSON.stringify(values))}::jsonb, 1, ${p.add(at)}, ${p.add(at)} WHERE ${relationsExist(collection, values, p)} RETURNING id`;
  const rows = await sql.query(`WITH rec AS (${insert}) ${outboxFromRec(entry, p)}`, p.values);
  return rows.length === 1;
}

/**
 * Replaces a record's data and writes its `updated` event, if the record is still at `version`
 * and the relations among the `written` values exist. False when nothing was written (find out
 * which with a new read).
 */
export async function updateWithEvent(
  sql: SqlClient,
  collection: CollectionDef,
  change: {
    id: string;
    version: number;
    data: Record<string, unknown>;
    written: Record<string, unknown>;
    updated: Date;
  },
  entry: OutboxEntry,
): Promise<boolean> {
  const p = new SqlParams();
  const update = `UPDATE records SET data = ${p.add(JSON.stringify(change.data))}::jsonb, updated = ${p.add(change.updated)}, version = version + 1 WHERE collection_id = ${p.add(collection.id)} AND id = ${p.add(change.id)} AND version = ${p.add(change.version)} AND ${relationsExist(collection, change.written, p)} RETURNING id`;
  const rows = await sql.query(`WITH rec AS (${update}) ${outboxFromRec(entry, p)}`, p.values);
  return rows.length === 1;
}

/** Deletes a record still at `version` and writes its `deleted` event; false when it moved on. */
export async function deleteWithEvent(
  sql: SqlClient,
  collection: CollectionDef,
  target: { id: string; version: number },
  entry: OutboxEntry,
): Promise<boolean> {
  const p = new SqlParams();
  const remove = `DELETE FROM records WHERE collection_id = ${p.add(collection.id)} AND id = ${p.add(target.id)} AND version = ${p.add(target.version)} RETURNING id`;
  const rows = await sql.query(`WITH rec AS (${remove}) ${outboxFromRec(entry, p)}`, p.values);
  return rows.length === 1;
}
