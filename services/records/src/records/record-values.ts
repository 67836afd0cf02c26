import { type CollectionDef, type FieldDef, SYSTEM_FIELDS } from "@tidings/collections";
import { parseDate } from "@tidings/filter";
import { TidingsError } from "@tidings/protocol";
import type { FieldErrors } from "@tidings/service";

/** Longest text value accepted, in characters. */
export const MAX_TEXT_LENGTH = 100_000;
/** Most ids a multiple relation may hold. */
export const MAX_RELATION_IDS = 1_000;
/** What a client-chosen record id must look like. */
export const RECORD_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A validated write: the field values to store, and the id when the client chose one. */
export interface RecordInput {
  id: string | undefined;
  values: Record<string, unknown>;
}

type Check = { ok: true; value: unknown } | { ok: false; code: string; message: string };
const fail = (code: string, message: string): Check => ({ ok: false, code, message });

function checkValue(field: FieldDef, value: unknown): Check {
  if (value === null) return { ok: true, value: null };
  switch (field.type) {
    case "text":
      if (typeof value !== "string") return fail("invalid_type", "expected a string");
      return value.length > MAX_TEXT_LENGTH
        ? fail("too_long", `at most ${MAX_TEXT_LENGTH} characters`)
        : { ok: true, value };
    case "number":
      return typeof value === "number" && Number.isFinite(value)
        ? { ok: true, value }
        : fail("invalid_type", "expected a finite number");
    case "bool":
      return typeof value === "boolean"
        ? { ok: true, value }
        : fail("invalid_type", "expected true or false");
    case "date": {
      const date = typeof value === "string" ? parseDate(value) : null;
      return date === null
        ? fail("invalid_date", "expected an ISO 8601 date between years 0000 and 9999")
        : { ok: true, value: date };
    }
    case "json":
      return { ok: true, value };
    case "relation":
      return checkRelation(field, value);
  }
}

function checkRelation(field: FieldDef, value: unknown): Check {
  const isId = (v: unknown): v is string => typeof v === "string" && RECORD_ID_PATTERN.test(v);
  if (!field.multiple)
    return isId(value) ? { ok: true, value } : fail("invalid_relation", "expected a record id");
  if (!Array.isArray(value) || !value.every(isId))
    return fail("invalid_relation", "expected an array of record ids");
  if (value.length > MAX_RELATION_IDS) return fail("too_many", `at most ${MAX_RELATION_IDS} ids`);
  return { ok: true, value: [...new Set(value)] };
}

function isMissing(field: FieldDef, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (field.type === "text") return value === "";
  if (field.type === "relation" && field.multiple) return (value as unknown[]).length === 0;
  return false;
}

/**
 * Validates a create or update body against the collection's fields. Unknown fields, wrong types
 * and missing required values are all reported at once as `VALIDATION_FAILED`. System fields
 * (created, updated, …) are ignored, as a client may send back a record it read. For an update
 * whose stored values were not read (`existing: "unread"`), required fields are checked only
 * where the body writes them; the write itself must check the others.
 */
export function validateRecordInput(
  collection: CollectionDef,
  body: unknown,
  existing: Record<string, unknown> | undefined | "unread",
): RecordInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new TidingsError("VALIDATION_FAILED", "The body must be a JSON object.", {
      body: { code: "invalid_type", message: "expected an object" },
    });
  }
  const errors: FieldErrors = {};
  const fields = new Map(collection.fields.map((f) => [f.name, f]));
  const values: Record<string, unknown> = {};
  let id: string | undefined;
  for (const [name, value] of Object.entries(body)) {
    const field = fields.get(name);
    if (field) {
      const check = checkValue(field, value);
      if (check.ok) values[name] = check.value;
      else errors[name] = { code: check.code, message: check.message };
    } else if (name === "id" && existing === undefined) {
      if (typeof value === "string" && RECORD_ID_PATTERN.test(value)) id = value;
      else
        errors.id = {
          code: "invalid_id",
          message: "expected 1-64 characters from A-Z a-z 0-9 _ -",
        };
    } else if (!(SYSTEM_FIELDS as readonly string[]).includes(name)) {
      errors[name] = { code: "unknown_field", message: `the collection has no field "${name}"` };
    }
  }
  const unread = existing === "unread";
  const merged = unread ? values : { ...existing, ...values };
  for (const field of collection.fields) {
    if (unread && !(field.name in values)) continue;
    if (field.required && !errors[field.name] && isMissing(field, merged[field.name])) {
      errors[field.name] = { code: "required", message: "a value is required" };
    }
  }
  if (Object.keys(errors).length > 0)
    throw new TidingsError(
      "VALIDATION_FAILED",
      "The record has invalid or missing values.",
      errors,
    );
  return { id, values };
}
