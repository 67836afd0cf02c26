import {
  type CollectionDef,
  type CompiledRules,
  type RecordJson,
  toRecordJson,
} from "@tidings/collections";
import { isUniqueViolation, newId, type Prisma, type PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { appendOutbox, outboxInsert } from "../outbox/outbox-writer.ts";
import { type Gate, gateAllows, gateFor, type Requester } from "./record-access.ts";
import { lockRecord } from "./record-queries.ts";
import { validateRecordInput } from "./record-values.ts";
import { checkRelationsExist } from "./relations.ts";

/** A write request: who, when, and the realtime connection to leave out of the event. */
export interface WriteContext extends Requester {
  socketId: string | undefined;
}

const json = (value: Record<string, unknown>) => value as Prisma.InputJsonObject;

/** Creates a record and its `created` event in one transaction. */
export async function createRecord(
  prisma: PrismaClient,
  collection: CollectionDef,
  rules: CompiledRules,
  body: unknown,
  ctx: WriteContext,
): Promise<RecordJson> {
  const gate = gateFor(rules, "createRule", ctx);
  const input = validateRecordInput(collection, body, undefined);
  const id = input.id ?? newId();
  const record = toRecordJson(collection, {
    id,
    data: input.values,
    created: ctx.now,
    updated: ctx.now,
  });
  if (!gateAllows(gate, record, ctx))
    throw new TidingsError("FORBIDDEN", "The create rule does not allow this record.");
  await checkRelationsExist(prisma, collection, input.values);
  try {
    // Nothing to read in between: a batch transaction, cheaper than an interactive one.
    await prisma.$transaction([
      prisma.record.create({
        data: {
          collectionId: collection.id,
          id,
          data: json(input.values),
          created: ctx.now,
          updated: ctx.now,
        },
      }),
      outboxInsert(prisma, {
        collectionId: collection.id,
        collectionName: collection.name,
        action: "created",
        record,
        socketId: ctx.socketId,
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new TidingsError("CONFLICT", `A record with id "${id}" already exists.`, {
        id: { code: "not_unique", message: "the id is taken" },
      });
    }
    throw error;
  }
  return record;
}

// Someone who may not even see the record is told it does not exist; someone who may see it but
// not change it is told so.
function refuse(
  rules: CompiledRules,
  record: RecordJson,
  ctx: WriteContext,
  action: string,
): TidingsError {
  const view = rules.viewRule;
  const visible = view?.matches(record, ctx.auth, ctx.now, "default") === true;
  return visible
    ? new TidingsError("FORBIDDEN", `The ${action} rule does not allow this.`)
    : new TidingsError("NOT_FOUND", "The record was not found.");
}

async function lockForWrite(
  tx: Prisma.TransactionClient,
  collection: CollectionDef,
  rules: CompiledRules,
  gate: Gate,
  id: string,
  ctx: WriteContext,
  action: string,
) {
  const row = await lockRecord(tx, collection, id);
  if (!row) throw new TidingsError("NOT_FOUND", "The record was not found.");
  const record = toRecordJson(collection, row);
  if (!gateAllows(gate, record, ctx)) throw refuse(rules, record, ctx, action);
  return { row, record };
}

/**
 * Updates a record and writes its `updated` event in one transaction. The row is locked first, so
 * concurrent updates apply one after the other and each event's old record is the true previous one.
 */
export async function updateRecord(
  prisma: PrismaClient,
  collection: CollectionDef,
  rules: CompiledRules,
  id: string,
  body: unknown,
  ctx: WriteContext,
): Promise<RecordJson> {
  const gate = gateFor(rules, "updateRule", ctx);
  return prisma.$transaction(async (tx) => {
    const { row, record: oldRecord } = await lockForWrite(
      tx,
      collection,
      rules,
      gate,
      id,
      ctx,
      "update",
    );
    const existing = (row.data ?? {}) as Record<string, unknown>;
    const input = validateRecordInput(collection, body, existing);
    await checkRelationsExist(tx, collection, input.values);
    const data = { ...existing, ...input.values };
    // Replicas' clocks may differ slightly; `updated` never moves backwards for one record.
    const updated =
      ctx.now.getTime() > new Date(row.updated).getTime() ? ctx.now : new Date(row.updated);
    await tx.record.update({
      where: { collectionId_id: { collectionId: collection.id, id } },
      data: { data: json(data), updated, version: row.version + 1 },
    });
    const record = toRecordJson(collection, { id, data, created: row.created, updated });
    await appendOutbox(tx, {
      collectionId: collection.id,
      collectionName: collection.name,
      action: "updated",
      record,
      oldRecord,
      socketId: ctx.socketId,
    });
    return record;
  });
}

/** Deletes a record and writes its `deleted` event (carrying the last state) in one transaction. */
export async function deleteRecord(
  prisma: PrismaClient,
  collection: CollectionDef,
  rules: CompiledRules,
  id: string,
  ctx: WriteContext,
): Promise<void> {
  const gate = gateFor(rules, "deleteRule", ctx);
  await prisma.$transaction(async (tx) => {
    const { record } = await lockForWrite(tx, collection, rules, gate, id, ctx, "delete");
    await tx.record.delete({ where: { collectionId_id: { collectionId: collection.id, id } } });
    await appendOutbox(tx, {
      collectionId: collection.id,
      collectionName: collection.name,
      action: "deleted",
      record,
      socketId: ctx.socketId,
    });
  });
}
