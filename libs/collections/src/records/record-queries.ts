import type { Prisma, PrismaClient } from "@tidings/db";
import type { CollectionDef } from "../collection.ts";
import type { StoredRecord } from "../record-shape.ts";
import { SqlParams } from "./sql-params.ts";

type Db = PrismaClient | Prisma.TransactionClient;

/** Builds one SQL condition on table alias `r`, binding its values through `params`. */
export type SqlCondition = (params: SqlParams) => string;

/** A page of a collection. */
export interface ListQuery {
  conditions: SqlCondition[];
  /** ORDER BY list on alias `r`, ending in a unique tiebreak. */
  orderBy: string;
  limit: number;
  offset: number;
  /** Count every matching record as well (skipped when the client asked for no totals). */
  withTotal: boolean;
}

function whereClause(
  collection: CollectionDef,
  conditions: SqlCondition[],
  params: SqlParams,
): string {
  const parts = [
    `r.collection_id = ${params.add(collection.id)}`,
    ...conditions.map((c) => `(${c(params)})`),
  ];
  return parts.join(" AND ");
}

/** Lists records matching every condition; the count runs only when asked for. */
export async function listRecords(
  db: Db,
  collection: CollectionDef,
  query: ListQuery,
): Promise<{ rows: StoredRecord[]; total: number | undefined }> {
  const params = new SqlParams();
  const where = whereClause(collection, query.conditions, params);
  const limit = params.add(query.limit);
  const offset = params.add(query.offset);
  const rows = await db.$queryRawUnsafe<StoredRecord[]>(
    `SELECT r.id, r.data, r.created, r.updated FROM records r WHERE ${where} ORDER BY ${query.orderBy} LIMIT ${limit} OFFSET ${offset}`,
    ...params.values,
  );
  if (!query.withTotal) return { rows, total: undefined };
  const countParams = new SqlParams();
  const countWhere = whereClause(collection, query.conditions, countParams);
  const [row] = await db.$queryRawUnsafe<{ total: bigint | number }[]>(
    `SELECT count(*) AS total FROM records r WHERE ${countWhere}`,
    ...countParams.values,
  );
  return { rows, total: Number(row?.total ?? 0) };
}

/** One record if it exists and meets every condition. */
export async function findRecord(
  db: Db,
  collection: CollectionDef,
  id: string,
  conditions: SqlCondition[] = [],
): Promise<StoredRecord | undefined> {
  const params = new SqlParams();
  const where = whereClause(collection, [(p) => `r.id = ${p.add(id)}`, ...conditions], params);
  const rows = await db.$queryRawUnsafe<StoredRecord[]>(
    `SELECT r.id, r.data, r.created, r.updated FROM records r WHERE ${where}`,
    ...params.values,
  );
  return rows[0];
}

/** The records among `ids` that exist and meet every condition, in no particular order. */
export async function findRecords(
  db: Db,
  collection: CollectionDef,
  ids: readonly string[],
  conditions: SqlCondition[] = [],
): Promise<StoredRecord[]> {
  if (ids.length === 0) return [];
  const params = new SqlParams();
  const byId: SqlCondition = (p) => `r.id IN (${ids.map((id) => p.add(id)).join(", ")})`;
  const where = whereClause(collection, [byId, ...conditions], params);
  return db.$queryRawUnsafe<StoredRecord[]>(
    `SELECT r.id, r.data, r.created, r.updated FROM records r WHERE ${where}`,
    ...params.values,
  );
}
