import {
  type CollectionDef,
  type FieldDef,
  type SqlCondition,
  SqlParams,
} from "@tidings/collections";
import type { SqlClient } from "@tidings/db";
import { relationsExist, traceContextJson } from "./record-statements.ts";

// An update or delete in ONE statement, the rule judged by PostgreSQL on the locked row: read,
// check, write and outbox row in a single round trip. The write names the row by its whole key
// (collection and id as parameters), not only through the locked row: joined only on `old.id`, a
// plan made while the collection was small read every record of the collection to find it. When it writes nothing (no such record, the
// rule or a required field refuses, a relation points to nothing), the caller falls back to the
// read-then-write path, which says exactly why.

/** A row as a guarded write returns it: the record after the write. */
export interface WrittenRow {
  id: string;
  data: Record<string, unknown> | null;
  created: Date | string;
  updated: Date | string;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
// jsonb_build_object takes at most 100 arguments: fields are added in slices.
const PAIRS_PER_CALL = 40;

// The record as toRecordJson shapes it (system fields, then every field, null when absent),
// built by PostgreSQL from the row aliased `x`.
function recordJsonSql(collection: CollectionDef, alias: string, p: SqlParams): string {
  const system = [
    `'id', ${alias}.id`,
    `'collectionId', ${p.add(collection.id)}::text`,
    `'collectionName', ${p.add(collection.name)}::text`,
    `'created', to_char(${alias}.created AT TIME ZONE 'UTC', ${ISO})`,
    `'updated', to_char(${alias}.updated AT TIME ZONE 'UTC', ${ISO})`,
  ];
  const fields = collection.fields.map(
    (field) =>
      `${p.add(field.name)}::text, coalesce(${alias}.data -> ${p.add(field.name)}::text, 'null'::jsonb)`,
  );
  const calls = [`jsonb_build_object(${system.join(", ")})`];
  for (let i = 0; i < fields.length; i += PAIRS_PER_CALL)
    calls.push(`jsonb_build_object(${fields.slice(i, i + PAIRS_PER_CALL).join(", ")})`);
  return calls.join(" || ");
}

// True in SQL when a required field the write leaves alone has a value in the stored row.
function keptValuePresent(field: FieldDef, p: SqlParams): string {
  const value = `r.data -> ${p.add(field.name)}::text`;
  const missing = [`${value} IS NULL`, `${value} = 'null'::jsonb`];
  if (field.type === "text") missing.push(`${value} = '""'::jsonb`);
  if (field.type === "relation" && field.multiple) missing.push(`${value} = '[]'::jsonb`);
  return `NOT (${missing.join(" OR ")})`;
}

// The stored row, locked, if it exists and the guard lets the requester act on it.
function lockedRow(
  collection: CollectionDef,
  id: string,
  guard: SqlCondition[],
  p: SqlParams,
  extra: string[] = [],
): string {
  const where = [
    `r.collection_id = ${p.add(collection.id)}`,
    `r.id = ${p.add(id)}`,
    ...guard.map((condition) => `(${condition(p)})`),
    ...extra,
  ];
  return `SELECT r.id, r.data, r.created, r.updated, r.version FROM records r WHERE ${where.join(" AND ")} FOR UPDATE`;
}

/**
 * Merges `values` into the record and writes its `updated` event, if the record exists, the
 * guard (the update rule as SQL) accepts it, its required fields stay filled and the written
 * relations exist. Returns the record as written, or undefined when nothing was written.
 */
export async function guardedUpdate(
  sql: SqlClient,
  collection: CollectionDef,
  target: { id: string; guard: SqlCondition[]; values: Record<string, unknown>; now: Date },
  event: { socketId: string | undefined },
): Promise<WrittenRow | undefined> {
  const p = new SqlParams();
  const kept = collection.fields
    .filter((field) => field.required && !(field.name in target.values))
    .map((field) => keptValuePresent(field, p));
  const old = lockedRow(collection, target.id, target.guard, p, kept);
  const update = `UPDATE records r SET data = old.data || ${p.add(JSON.stringify(target.values))}::jsonb, updated = greatest(old.updated, ${p.add(target.now)}), version = old.version + 1 FROM old WHERE r.collection_id = ${p.add(collection.id)} AND r.id = ${p.add(target.id)} AND r.id = old.id AND ${relationsExist(collection, target.values, p)} RETURNING r.id, r.data, r.created, r.updated`;
  const outbox = `INSERT INTO outbox (collection_id, collection_name, action, record_id, record, old_record, socket_id, trace_context) SELECT ${p.add(collection.id)}, ${p.add(collection.name)}, 'updated', upd.id, ${recordJsonSql(collection, "upd", p)}, ${recordJsonSql(collection, "old", p)}, ${p.add(event.socketId ?? null)}, ${p.add(traceContextJson())}::jsonb FROM upd, old`;
  const [row] = await sql.query<WrittenRow>(
    `WITH old AS (${old}), upd AS (${update}), ev AS (${outbox}) SELECT id, data, created, updated FROM upd`,
    p.values,
  );
  return row;
}

/**
 * Deletes the record and writes its `deleted` event (its last state), if it exists and the
 * guard (the delete rule as SQL) accepts it. False when nothing was deleted.
 */
export async function guardedDelete(
  sql: SqlClient,
  collection: CollectionDef,
  target: { id: string; guard: SqlCondition[] },
  event: { socketId: string | undefined },
): Promise<boolean> {
  const p = new SqlParams();
  const old = lockedRow(collection, target.id, target.guard, p);
  const remove = `DELETE FROM records r USING old WHERE r.collection_id = ${p.add(collection.id)} AND r.id = ${p.add(target.id)} AND r.id = old.id RETURNING r.id, r.data, r.created, r.updated`;
  const outbox = `INSERT INTO outbox (collection_id, collection_name, action, record_id, record, socket_id, trace_context) SELECT ${p.add(collection.id)}, ${p.add(collection.name)}, 'deleted', del.id, ${recordJsonSql(collection, "del", p)}, ${p.add(event.socketId ?? null)}, ${p.add(traceContextJson())}::jsonb FROM del RETURNING seq`;
  const rows = await sql.query(`WITH old AS (${old}), del AS (${remove}) ${outbox}`, p.values);
  return rows.length === 1;
}
