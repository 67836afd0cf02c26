import type { ChangePayload } from "@tidings/protocol";

/** What FastSchema sends for a change: `data` is one record, or an array of them. */
export interface ContentMessage {
  event: "create" | "update" | "delete";
  data: Record<string, unknown> | Record<string, unknown>[];
}

const EVENTS = {
  created: "create",
  updated: "update",
  // The record now matches the filter: FastSchema re-reads updated rows through the filter, so
  // it reports this as an update.
  entered: "update",
  deleted: "delete",
} as const;

// FastSchema always selects the id besides the fields asked for.
function pick(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = { id: record.id };
  for (const field of fields) if (Object.hasOwn(record, field)) picked[field] = record[field];
  return picked;
}

/**
 * The FastSchema message for a Tidings change, or null for none: a record that left the view
 * (no longer matches) is not sent, as FastSchema does not send rows its filter drops. `create`
 * carries one record; `update` and `delete` an array, or one record when the subscription names
 * an id. With `select`, the record holds exactly the selected fields and the id.
 */
export function contentMessage(
  change: ChangePayload,
  options: { single: boolean; select: readonly string[] },
): ContentMessage | null {
  if (change.action === "left") return null;
  const event = EVENTS[change.action];
  const record = options.select.length > 0 ? pick(change.record, options.select) : change.record;
  return { event, data: event === "create" || options.single ? record : [record] };
}
