import {
  type CollectionDef,
  type CompiledRules,
  type Gate,
  gateAllows,
  gateConditions,
  gateFor,
  type RecordJson,
  type Requester,
  toRecordJson,
} from "@tidings/collections";
import { isUniqueViolation, newId, type PrismaClient, type SqlClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { guardedDelete, guardedUpdate } from "./guarded-statements.ts";
import {
  deleteWithEvent,
  insertWithEvent,
  readRow,
  type StoredRow,
  updateWithEvent,
} from "./record-statements.ts";
import { validateRecordInput } from "./record-values.ts";
import { checkRelationsExist } from "./relations.ts";
import type { RequestMeta } from "./rule-request.ts";

/** A write: who, when, what it asks, and the realtime connection to leave out of its event. */
export interface WriteContext extends Requester {
  socketId: string | undefined;
  /** The method, query and headers, which the action's rule reads with the validated body. */
  http: RequestMeta;
}

// The requester as the action's rule judges it: with the request and its body as validated.
function judged(ctx: WriteContext, body: Record<string, unknown>): Requester {
  return { auth: ctx.auth, now: ctx.now, request: { ...ctx.http, body } };
}

/** Where writes go: the raw statements of the hot path, Prisma for the rare error details. */
export interface WriteDb {
  sql: SqlClient;
  prisma: PrismaClient;
}

// Writes are conditional on the version they read (optimistic concurrency): a write that finds
// the record moved on reads it again and retries, this many times before giving up.
const MAX_ATTEMPTS = 20;

function conflict(): TidingsError {
  return new TidingsError(
    "CONFLICT",
    "The record kept changing while this write was tried; retry.",
  );
}

/** Creates a record and its `created` event in one statement. */
export async function createRecord(
  db: WriteDb,
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
  if (!gateAllows(gate, record, judged(ctx, input.values)))
    throw new TidingsError("FORBIDDEN", "The create rule does not allow this record.");
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      const written = await insertWithEvent(
        db.sql,
        collection,
        input.values,
        {
          collectionId: collection.id,
          collectionName: collection.name,
          action: "created",
          record,
          socketId: ctx.socketId,
        },
        ctx.now,
      );
      if (written) return record;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new TidingsError("CONFLICT", `A record with id "${id}" already exists.`, {
          id: { code: "not_unique", message: "the id is taken" },
        });
      }
      throw error;
    }
    // A relation pointed to nothing: say which (or, if it exists by now, try again).
    await checkRelationsExist(db.prisma, collection, input.values);
  }
  throw conflict();
}

// Someone who may not even see the record is told it does not exist; someone who may see it but
// not change it is told so.
function refuse(
  rules: CompiledRules,
  record: RecordJson,
  ctx: Requester,
  action: string,
): TidingsError {
  const view = rules.viewRule;
  const visible = view?.matches(record, ctx.auth, ctx.now, "default") === true;
  return visible
    ? new TidingsError("FORBIDDEN", `The ${action} rule does not allow this.`)
    : new TidingsError("NOT_FOUND", "The record was not found.");
}

// The record as stored now, if the gate lets the requester act on it.
async function readForWrite(
  db: WriteDb,
  collection: CollectionDef,
  rules: CompiledRules,
  gate: Gate,
  id: string,
  ctx: Requester,
  action: string,
): Promise<{ row: StoredRow; record: RecordJson }> {
  const row = await readRow(db.sql, collection, id);
  if (!row) throw new TidingsError("NOT_FOUND", "The record was not found.");
  const record = toRecordJson(collection, row);
  if (!gateAllows(gate, record, ctx)) throw refuse(rules, record, ctx, action);
  return { row, record };
}

// The body checked without the stored record, or undefined when only the stored record can say
// what is wrong with it (the read-then-write path then reports it, in its usual order).
function unreadInput(collection: CollectionDef, body: unknown) {
  try {
    return validateRecordInput(collection, body, "unread");
  } catch {
    return undefined;
  }
}

/**
 * Updates a record and writes its `updated` event. First in one statement that locks the row,
 * judges the update rule in SQL and writes (the usual case); when that writes nothing, by reading
 * the record, judging it here and writing conditionally on the version read, which also says why
 * a write is refused. Either way concurrent updates apply one after the other, and each event's
 * old record is the true previous one.
 */
export async function updateRecord(
  db: WriteDb,
  collection: CollectionDef,
  rules: CompiledRules,
  id: string,
  body: unknown,
  ctx: WriteContext,
): Promise<RecordJson> {
  const gate = gateFor(rules, "updateRule", ctx);
  const input = unreadInput(collection, body);
  // A body that fails validation is refused whatever the rule says; until that is reported, after
  // the rule's own refusals, the rule judges an empty one.
  const judge = judged(ctx, input?.values ?? {});
  if (input) {
    const written = await guardedUpdate(
      db.sql,
      collection,
      { id, guard: gateConditions(gate, judge), values: input.values, now: ctx.now },
      { socketId: ctx.socketId },
    );
    if (written) return toRecordJson(collection, written);
  }
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { row, record: oldRecord } = await readForWrite(
      db,
      collection,
      rules,
      gate,
      id,
      judge,
      "update",
    );
    const existing = (row.data ?? {}) as Record<string, unknown>;
    const input = validateRecordInput(collection, body, existing);
    const data = { ...existing, ...input.values };
    // Replicas' clocks may differ slightly; `updated` never moves backwards for one record.
    const previous = new Date(row.updated);
    const updated = ctx.now.getTime() > previous.getTime() ? ctx.now : previous;
    const record = toRecordJson(collection, { id, data, created: row.created, updated });
    const written = await updateWithEvent(
      db.sql,
      collection,
      { id, version: row.version, data, written: input.values, updated },
      {
        collectionId: collection.id,
        collectionName: collection.name,
        action: "updated",
        record,
        oldRecord,
        socketId: ctx.socketId,
      },
    );
    if (written) return record;
    // Moved on since it was read (read again), or a relation points to nothing (say which).
    const now = await readRow(db.sql, collection, id);
    if (now?.version === row.version)
      await checkRelationsExist(db.prisma, collection, input.values);
  }
  throw conflict();
}

/**
 * Deletes a record and writes its `deleted` event (carrying the last state): in one statement
 * judging the delete rule in SQL, or, when that deletes nothing, read-then-delete as updates do.
 */
export async function deleteRecord(
  db: WriteDb,
  collection: CollectionDef,
  rules: CompiledRules,
  id: string,
  ctx: WriteContext,
): Promise<void> {
  const gate = gateFor(rules, "deleteRule", ctx);
  // A DELETE carries no body: the rule sees none.
  const judge = judged(ctx, {});
  const guard = gateConditions(gate, judge);
  if (await guardedDelete(db.sql, collection, { id, guard }, { socketId: ctx.socketId })) return;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { row, record } = await readForWrite(db, collection, rules, gate, id, judge, "delete");
    const written = await deleteWithEvent(
      db.sql,
      collection,
      { id, version: row.version },
      {
        collectionId: collection.id,
        collectionName: collection.name,
        action: "deleted",
        record,
        socketId: ctx.socketId,
      },
    );
    if (written) return;
  }
  throw conflict();
}
