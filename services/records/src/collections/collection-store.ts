import {
  type CollectionDef,
  collectionFromRow,
  compileRules,
  findCollection,
  USERS_COLLECTION,
} from "@tidings/collections";
import { isUniqueViolation, newId, type Prisma, type PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import type { FieldErrors } from "@tidings/service";
import type { CreateCollectionBody, PatchCollectionBody } from "./collection-input.ts";

type Db = PrismaClient | Prisma.TransactionClient;

/** The collection by name, or `NOT_FOUND`. */
export async function requireCollection(db: Db, name: string): Promise<CollectionDef> {
  const collection = await findCollection(db, name);
  if (!collection) throw new TidingsError("NOT_FOUND", `There is no collection "${name}".`);
  return collection;
}

/** Lists collections by name. */
export async function listCollections(db: Db, skip: number, take: number) {
  const [rows, total] = await Promise.all([
    db.collection.findMany({ orderBy: { name: "asc" }, skip, take }),
    db.collection.count(),
  ]);
  return { items: rows.map(collectionFromRow), total };
}

// Checks what the field list alone cannot: relation targets exist, and rules parse against the
// fields they will run on.
async function checkDefinition(db: Db, def: CollectionDef): Promise<void> {
  if (def.name === USERS_COLLECTION) {
    throw new TidingsError("VALIDATION_FAILED", `"${USERS_COLLECTION}" is reserved for accounts.`, {
      name: { code: "reserved", message: "the name is reserved" },
    });
  }
  const errors: FieldErrors = {};
  for (const [index, field] of def.fields.entries()) {
    const target = field.collection;
    if (field.type !== "relation" || !target || target === USERS_COLLECTION || target === def.name)
      continue;
    if (!(await db.collection.findUnique({ where: { name: target }, select: { id: true } }))) {
      errors[`fields.${index}.collection`] = {
        code: "not_found",
        message: `there is no collection "${target}"`,
      };
    }
  }
  if (Object.keys(errors).length > 0)
    throw new TidingsError(
      "VALIDATION_FAILED",
      "The collection points to collections that do not exist.",
      errors,
    );
  compileRules(def);
}

function nameTaken(name: string): TidingsError {
  return new TidingsError("CONFLICT", `A collection named "${name}" already exists.`, {
    name: { code: "not_unique", message: "the name is taken" },
  });
}

/** Creates a collection after checking its fields and rules. */
export async function createCollection(
  prisma: PrismaClient,
  body: CreateCollectionBody,
): Promise<CollectionDef> {
  const now = new Date().toISOString();
  const def: CollectionDef = { id: newId(), ...body, created: now, updated: now };
  await checkDefinition(prisma, def);
  try {
    const row = await prisma.collection.create({
      data: { id: def.id, ...body, fields: body.fields as Prisma.InputJsonArray },
    });
    return collectionFromRow(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(def.name);
    throw error;
  }
}

/**
 * Applies a partial change. A rename also re-points other collections' relation fields, in the
 * same transaction, so no relation is left naming a collection that no longer exists.
 */
export async function updateCollection(
  prisma: PrismaClient,
  name: string,
  patch: PatchCollectionBody,
): Promise<CollectionDef> {
  try {
    return await prisma.$transaction(async (tx) => {
      const current = await requireCollection(tx, name);
      const next: CollectionDef = { ...current, ...patch };
      await checkDefinition(tx, next);
      if (next.name !== current.name) await repointRelations(tx, current.name, next.name);
      const row = await tx.collection.update({
        where: { id: current.id },
        data: { ...patch, fields: patch.fields as Prisma.InputJsonArray | undefined },
      });
      return collectionFromRow(row);
    });
  } catch (error) {
    if (isUniqueViolation(error) && patch.name) throw nameTaken(patch.name);
    throw error;
  }
}

async function repointRelations(
  tx: Prisma.TransactionClient,
  from: string,
  to: string,
): Promise<void> {
  for (const row of await tx.collection.findMany()) {
    const def = collectionFromRow(row);
    if (!def.fields.some((f) => f.type === "relation" && f.collection === from)) continue;
    const fields = def.fields.map((f) =>
      f.type === "relation" && f.collection === from ? { ...f, collection: to } : f,
    );
    await tx.collection.update({
      where: { id: def.id },
      data: { fields: fields as Prisma.InputJsonArray },
    });
  }
}

/** Deletes a collection and its records, unless another collection's relations point at it. */
export async function deleteCollection(prisma: PrismaClient, name: string): Promise<CollectionDef> {
  return prisma.$transaction(async (tx) => {
    const target = await requireCollection(tx, name);
    const referrers = (await tx.collection.findMany())
      .map(collectionFromRow)
      .filter(
        (c) =>
          c.id !== target.id &&
          c.fields.some((f) => f.type === "relation" && f.collection === name),
      )
      .map((c) => c.name);
    if (referrers.length > 0) {
      throw new TidingsError(
        "CONFLICT",
        `Collections ${referrers.join(", ")} have relations to "${name}"; change them first.`,
        { referencedBy: referrers },
      );
    }
    await tx.collection.delete({ where: { id: target.id } });
    return target;
  });
}
