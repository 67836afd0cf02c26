import type { CollectionDef } from "./collection.ts";

/** A record as it travels: system fields first, then every field of the collection. */
export type RecordJson = {
  id: string;
  collectionId: string;
  collectionName: string;
  created: string;
  updated: string;
} & Record<string, unknown>;

/** A stored row: field values live in `data`. */
export interface StoredRecord {
  id: string;
  data: unknown;
  created: Date | string;
  updated: Date | string;
}

const iso = (value: Date | string) => (typeof value === "string" ? value : value.toISOString());

/**
 * The full record, hidden fields included: what rules read and what change events carry. Only the
 * collection's current fields appear; a field without a value is null.
 */
export function toRecordJson(collection: CollectionDef, row: StoredRecord): RecordJson {
  const data = (row.data ?? {}) as Record<string, unknown>;
  const record: RecordJson = {
    id: row.id,
    collectionId: collection.id,
    collectionName: collection.name,
    created: iso(row.created),
    updated: iso(row.updated),
  };
  for (const field of collection.fields) record[field.name] = data[field.name] ?? null;
  return record;
}

/**
 * What a client may see of a record: hidden fields removed and, when `select` is given, only the
 * listed fields besides the system ones.
 */
export function projectRecord(
  collection: CollectionDef,
  record: RecordJson,
  select?: readonly string[],
): RecordJson {
  const projected: RecordJson = {
    id: record.id,
    collectionId: record.collectionId,
    collectionName: record.collectionName,
    created: record.created,
    updated: record.updated,
  };
  const wanted = select && select.length > 0 ? new Set(select) : undefined;
  for (const field of collection.fields) {
    if (field.hidden || (wanted && !wanted.has(field.name))) continue;
    projected[field.name] = record[field.name] ?? null;
  }
  return projected;
}
