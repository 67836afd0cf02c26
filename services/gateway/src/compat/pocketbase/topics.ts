import { type ExpandTree, type FieldsPick, parseExpand, parseFields } from "@tidings/collections";
import { TidingsError } from "@tidings/protocol";
import { z } from "zod";

/** Most topics one client may post (PocketBase's limit). */
export const MAX_TOPICS = 1_000;
/** Longest topic accepted (PocketBase's limit). */
export const MAX_TOPIC_LENGTH = 2_500;

/**
 * `POST /api/realtime` body. Topics become SSE event names, so line breaks (which would end the
 * event name and forge fields) are refused.
 */
export const realtimeBody = z.object({
  clientId: z.string().min(1).max(255),
  subscriptions: z
    .array(
      z
        .string()
        .max(MAX_TOPIC_LENGTH)
        .regex(/^[^\r\n\0]*$/, "must not contain line breaks"),
    )
    .max(MAX_TOPICS)
    .nullish(),
});

/** A topic naming records: `<collection>/*` (list rule) or `<collection>/<id>` (view rule). */
export interface RecordTopic {
  /** Collection name or id. */
  collection: string;
  /** null for the whole collection. */
  recordId: string | null;
  /** `options.query.filter`, in PocketBase's filter syntax. */
  filter: string | undefined;
  /** `options.query.expand`. */
  expand: ExpandTree | undefined;
  /** `options.query.fields`. */
  fields: FieldsPick | undefined;
}

// `posts`, `posts/*` or `posts/RECORD_ID`; a bare collection is PocketBase's deprecated `posts/*`.
const TARGET = /^([A-Za-z0-9_]{1,64})(?:\/(\*|[A-Za-z0-9_-]{1,64}))?$/;

function queryValue(query: Record<string, unknown>, key: string): string | undefined {
  const value = query[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  // PocketBase reads query options as URL query values: scalars become their text.
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new Error(`options.query.${key} must be a string`);
}

function readOptions(raw: string | null): Record<string, unknown> {
  if (raw === null) return {};
  let options: unknown;
  try {
    options = JSON.parse(raw);
  } catch {
    throw new Error("options is not valid JSON");
  }
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new Error("options must be a JSON object");
  const query = (options as { query?: unknown }).query;
  if (query === undefined || query === null) return {};
  if (typeof query !== "object" || Array.isArray(query))
    throw new Error("options.query must be an object");
  return query as Record<string, unknown>;
}

/**
 * Reads a posted topic: `<collection>/*` or `<collection>/<recordId>`, optionally followed by
 * `?options=<URL-encoded JSON {query: {filter, expand, fields}, headers}>` as the `pocketbase`
 * SDK writes it. Headers and other query keys are ignored. Anything that does not name records
 * (`PB_CONNECT`, `@oauth2`, …) is null: accepted, and never delivered to. Malformed options throw.
 */
export function parseTopic(topic: string): RecordTopic | null {
  const mark = topic.indexOf("?");
  const match = TARGET.exec(mark < 0 ? topic : topic.slice(0, mark));
  if (!match) return null;
  const query = readOptions(
    mark < 0 ? null : new URLSearchParams(topic.slice(mark + 1)).get("options"),
  );
  const recordId = match[2] === undefined || match[2] === "*" ? null : match[2];
  return {
    collection: match[1] as string,
    recordId,
    filter: queryValue(query, "filter"),
    expand: parseExpand(queryValue(query, "expand")),
    fields: parseFields(queryValue(query, "fields")),
  };
}

/** Reads every topic of a POST; the first bad one is `VALIDATION_FAILED` naming its index. */
export function parseTopics(topics: readonly string[]): (RecordTopic | null)[] {
  return topics.map((topic, index) => {
    try {
      return parseTopic(topic);
    } catch (error) {
      const message =
        error instanceof TidingsError
          ? Object.values(error.data as Record<string, { message: string }>)[0]?.message
          : (error as Error).message;
      throw new TidingsError("VALIDATION_FAILED", "A subscription has invalid options.", {
        [`subscriptions.${index}`]: { code: "invalid_options", message: message ?? "invalid" },
      });
    }
  });
}
