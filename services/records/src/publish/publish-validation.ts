import {
  type CollectionDef,
  findCollection,
  type RecordJson,
  toRecordJson,
} from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import { parseDate } from "@tidings/filter";
import { TidingsError } from "@tidings/protocol";
import { type FieldErrors, fieldErrors, parseInput } from "@tidings/service";
import { z } from "zod";
import type { OutboxEntry } from "../outbox/outbox-writer.ts";
import { validateRecordInput } from "../records/record-values.ts";

/** Most events one publish request may carry. */
export const MAX_PUBLISH_EVENTS = 1_000;
/** Longest idempotency key, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** An event that passed validation: its outbox entry (without socket), and its key if any. */
export interface ValidEvent {
  entry: Omit<OutboxEntry, "socketId">;
  idempotencyKey: string | undefined;
}

const recordObject = z.looseObject({});
const eventSchema = z.strictObject({
  collection: z.string().min(1),
  action: z.enum(["created", "updated", "deleted"]),
  record: recordObject,
  oldRecord: recordObject.optional(),
  idempotencyKey: z.string().min(1).max(MAX_IDEMPOTENCY_KEY_LENGTH).optional(),
});
type EventInput = z.infer<typeof eventSchema>;
const batchSchema = z.strictObject({
  events: z.array(z.unknown()).min(1).max(MAX_PUBLISH_EVENTS),
});

function isBatch(body: unknown): boolean {
  return typeof body === "object" && body !== null && !Array.isArray(body) && "events" in body;
}

function addPrefixed(errors: FieldErrors, prefix: string, more: FieldErrors): void {
  for (const [path, problem] of Object.entries(more)) errors[`${prefix}${path}`] ??= problem;
}

function systemDate(raw: Record<string, unknown>, name: string, now: string, errors: FieldErrors) {
  const value = raw[name];
  if (value === undefined) return now;
  const date = typeof value === "string" ? parseDate(value) : null;
  if (date === null) errors[name] = { code: "invalid_date", message: "expected an ISO 8601 date" };
  return date ?? now;
}

/**
 * Checks a published record like a record write (types, unknown fields, required values), plus
 * what a write would generate: the `id` is required, `created`/`updated` are optional dates.
 * Relation ids are not looked up: the data lives in the publishing service.
 */
function checkRecord(
  collection: CollectionDef,
  raw: Record<string, unknown>,
  now: string,
  expectedId: string | undefined,
): { record: RecordJson | undefined; errors: FieldErrors } {
  const errors: FieldErrors = {};
  let values: Record<string, unknown> | undefined;
  try {
    values = validateRecordInput(collection, raw, undefined).values;
  } catch (error) {
    if (!(error instanceof TidingsError) || error.code !== "VALIDATION_FAILED") throw error;
    addPrefixed(errors, "", error.data as FieldErrors);
  }
  const id = raw.id ?? expectedId;
  if (id === undefined) errors.id = { code: "required", message: "a record id is required" };
  else if (id !== (expectedId ?? id))
    errors.id ??= { code: "id_mismatch", message: "the old record must have the record's id" };
  const created = systemDate(raw, "created", now, errors);
  const updated = systemDate(raw, "updated", now, errors);
  const ok = values !== undefined && Object.keys(errors).length === 0;
  return {
    record: ok
      ? toRecordJson(collection, { id: id as string, data: values, created, updated })
      : undefined,
    errors,
  };
}

function checkEvent(collection: CollectionDef, event: EventInput, now: string) {
  const errors: FieldErrors = {};
  if (collection.type !== "external") {
    errors.collection = {
      code: "not_external",
      message: `"${collection.name}" is a base collection: its changes come from its own record writes`,
    };
    return { errors, event: undefined };
  }
  const { record, errors: recordErrors } = checkRecord(collection, event.record, now, undefined);
  addPrefixed(errors, "record.", recordErrors);
  let oldRecord: RecordJson | undefined;
  if (event.oldRecord !== undefined && event.action !== "updated") {
    errors.oldRecord = { code: "not_allowed", message: "only updated events carry an old record" };
  } else if (event.oldRecord !== undefined) {
    const recordId = typeof event.record.id === "string" ? event.record.id : undefined;
    const old = checkRecord(collection, event.oldRecord, now, recordId);
    addPrefixed(errors, "oldRecord.", old.errors);
    oldRecord = old.record;
  }
  if (!record || Object.keys(errors).length > 0) return { errors, event: undefined };
  const entry = {
    collectionId: collection.id,
    collectionName: collection.name,
    action: event.action,
    record,
    oldRecord,
  };
  return { errors, event: { entry, idempotencyKey: event.idempotencyKey } };
}

/**
 * Validates a publish body, one event or `{events: [...]}`, all or nothing. Problems are reported
 * by path (`record.title`, or `events.3.record.title` in a batch): an unknown collection as
 * `NOT_FOUND`, everything else as one `VALIDATION_FAILED` listing every problem.
 */
export async function validatePublish(
  prisma: PrismaClient,
  body: unknown,
  now: Date,
): Promise<ValidEvent[]> {
  const batch = isBatch(body);
  const raw = batch ? parseInput(batchSchema, body).events : [body];
  const prefixOf = (index: number) => (batch ? `events.${index}.` : "");
  const parsed = raw.map((event) => eventSchema.safeParse(event));
  const names = new Set(parsed.flatMap((p) => (p.success ? [p.data.collection] : [])));
  const collections = new Map(
    await Promise.all(
      [...names].map(async (name) => [name, await findCollection(prisma, name)] as const),
    ),
  );
  const missing: FieldErrors = {};
  const missingNames = new Set<string>();
  const errors: FieldErrors = {};
  const valid: ValidEvent[] = [];
  for (const [index, result] of parsed.entries()) {
    const prefix = prefixOf(index);
    const collection = result.success ? collections.get(result.data.collection) : undefined;
    if (!result.success) addPrefixed(errors, prefix, fieldErrors(result.error.issues));
    else if (!collection) {
      missingNames.add(result.data.collection);
      missing[`${prefix}collection`] = { code: "not_found", message: "no such collection" };
    } else {
      const checked = checkEvent(collection, result.data, now.toISOString());
      addPrefixed(errors, prefix, checked.errors);
      if (checked.event) valid.push(checked.event);
    }
  }
  if (missingNames.size > 0) {
    const list = [...missingNames].map((name) => `"${name}"`).join(", ");
    throw new TidingsError("NOT_FOUND", `There is no collection ${list}.`, missing);
  }
  if (Object.keys(errors).length > 0)
    throw new TidingsError(
      "VALIDATION_FAILED",
      "The events have invalid or missing values.",
      errors,
    );
  return valid;
}
