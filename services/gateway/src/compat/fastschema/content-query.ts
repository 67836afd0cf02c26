import type { SubscribableAction } from "@tidings/protocol";
import { ContentRefusal } from "./close-reasons.ts";

/** The path of FastSchema's realtime content endpoint. */
export const CONTENT_PATH = "/api/realtime/content";

/** The `event` values FastSchema accepts; `*` is every event. */
export const CONTENT_EVENTS = ["create", "update", "delete", "*"] as const;
export type ContentEvent = (typeof CONTENT_EVENTS)[number];

const ACTIONS: Record<ContentEvent, SubscribableAction[]> = {
  create: ["created"],
  update: ["updated"],
  delete: ["deleted"],
  "*": [],
};

const SCHEMA = /^[A-Za-z0-9_]{1,64}$/;
const RECORD_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const MAX_SELECT = 100;

/** A subscription as the query string of `/api/realtime/content` asks for it. */
export interface ContentQuery {
  schema: string;
  event: ContentEvent;
  /** The Tidings actions the event stands for (empty: all). */
  actions: SubscribableAction[];
  /** One record (FastSchema ids are numbers; Tidings ids are strings, both are accepted). */
  id: string | null;
  /** Fields to send, in the order given; empty: all visible fields. */
  select: string[];
  /** FastSchema's JSON filter, as text. */
  filter: string | null;
}

function isContentEvent(value: string): value is ContentEvent {
  return (CONTENT_EVENTS as readonly string[]).includes(value);
}

function selectOf(text: string): string[] {
  const fields = [...new Set(text.split(",").map((field) => field.trim()))].filter(Boolean);
  const bad = fields.find((field) => !FIELD.test(field));
  if (bad !== undefined) throw new ContentRefusal(`realtime.content: invalid select: '${bad}'`);
  if (fields.length > MAX_SELECT) {
    throw new ContentRefusal(`realtime.content: invalid select: more than ${MAX_SELECT} fields`);
  }
  return fields;
}

/**
 * Reads `schema`, `event`, `id`, `select` and `filter` as FastSchema does (the first of repeated
 * parameters; an empty one is as if absent, so `event` defaults to `*`). Throws
 * {@link ContentRefusal} with FastSchema's reason for a bad event, and with Tidings' own for a bad
 * id or select; a schema name no collection can have is reported as not found.
 */
export function parseContentQuery(url: string): ContentQuery {
  const params = new URL(url, "http://localhost").searchParams;
  const value = (name: string) => params.get(name)?.trim() || null;
  const event = value("event") ?? "*";
  if (!isContentEvent(event)) {
    throw new ContentRefusal(`realtime.content: invalid event '${event}'`);
  }
  const schema = value("schema") ?? "";
  if (!SCHEMA.test(schema)) {
    throw new ContentRefusal(`realtime.content: schema not found: ${schema}`);
  }
  const id = value("id");
  if (id !== null && !RECORD_ID.test(id)) {
    throw new ContentRefusal(`realtime.content: invalid id '${id}'`);
  }
  return {
    schema,
    event,
    actions: ACTIONS[event],
    id,
    select: selectOf(value("select") ?? ""),
    filter: value("filter"),
  };
}
