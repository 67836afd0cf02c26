import { type CollectionDef, USERS_COLLECTION } from "@tidings/collections";
import type { Prisma, PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import type { FieldErrors } from "@tidings/service";

async function countExisting(
  db: PrismaClient | Prisma.TransactionClient,
  target: string,
  ids: string[],
): Promise<number> {
  if (target === USERS_COLLECTION) return db.user.count({ where: { id: { in: ids } } });
  return db.record.count({ where: { collection: { name: target }, id: { in: ids } } });
}

/** Checks that every id written into a relation field names an existing record of its target. */
export async function checkRelationsExist(
  db: PrismaClient | Prisma.TransactionClient,
  collection: CollectionDef,
  values: Record<string, unknown>,
): Promise<void> {
  const errors: FieldErrors = {};
  for (const field of collection.fields) {
    const value = values[field.name];
    if (field.type !== "relation" || value === null || value === undefined || !field.collection)
      continue;
    const ids = Array.isArray(value) ? (value as string[]) : [value as string];
    if (ids.length === 0) continue;
    if ((await countExisting(db, field.collection, ids)) !== ids.length) {
      errors[field.name] = {
        code: "missing_relation",
        message: `not every id exists in "${field.collection}"`,
      };
    }
  }
  if (Object.keys(errors).length > 0) {
    throw new TidingsError(
      "VALIDATION_FAILED",
      "The record points to records that do not exist.",
      errors,
    );
  }
}
