import type { Prisma, PrismaClient } from "@tidings/db";
import { type CollectionDef, collectionFromRow } from "./collection.ts";

/** The collection by name as stored now (not cached: inside a transaction, or for a write), or undefined. */
export async function findCollection(
  db: PrismaClient | Prisma.TransactionClient,
  name: string,
): Promise<CollectionDef | undefined> {
  const row = await db.collection.findUnique({ where: { name } });
  return row ? collectionFromRow(row) : undefined;
}
