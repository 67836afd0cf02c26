import { findUnsafeInput } from "@tidings/service";
import { z } from "zod";
import { FluxbaseRefusal } from "./fluxbase-wire.ts";

// Fields are optional and null reads as absent, as Go's JSON decoding treats them; unknown fields
// are ignored, as Fluxbase does.
const text = (max: number) => z.string().max(max).nullish();

/** What to subscribe to: the SDK's `config`, or the same fields at the top level (legacy). */
const tableFields = {
  event: text(16),
  schema: text(64),
  table: text(64),
  filter: text(4_096),
};

const subscribe = z.object({
  channel: text(256),
  config: z.object(tableFields).nullish(),
  ...tableFields,
});

const unsubscribe = z.object({ channel: text(256), subscription_id: text(128) });

const broadcast = z.object({
  channel: text(256),
  event: text(256),
  payload: z.json().optional(),
  messageId: text(256),
});

const presence = z.object({
  channel: text(256),
  /** The SDK puts the presence event here; Fluxbase's server reads `payload.event`. */
  event: text(32),
  payload: z
    .object({
      event: text(32),
      key: text(256),
      state: z.record(z.string(), z.json()).nullish(),
    })
    .nullish(),
});

const accessToken = z.object({ token: text(8_192) });

const SCHEMAS = {
  subscribe,
  unsubscribe,
  broadcast,
  presence,
  access_token: accessToken,
  ping: z.object({}),
  heartbeat: z.object({}),
} as const;

type Schemas = typeof SCHEMAS;

/** A validated client → server message. */
export type ClientMessage = {
  [K in keyof Schemas]: { type: K } & z.infer<Schemas[K]>;
}[keyof Schemas];

/** One kind of client message. */
export type MessageOf<K extends keyof Schemas> = Extract<ClientMessage, { type: K }>;

/** The table fields a subscribe message carries, in `config` or at the top level. */
export type TableFields = z.infer<z.ZodObject<typeof tableFields>>;

/**
 * Reads one text frame. Throws a {@link FluxbaseRefusal} (`INVALID_MESSAGE`) for anything that is
 * not a JSON object with a known `type` and well-typed fields, and for text the database cannot
 * store or nesting deeper than `maxDepth` anywhere in it.
 */
export function readMessage(frame: string, maxDepth: number): ClientMessage {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    throw new FluxbaseRefusal("INVALID_MESSAGE", "invalid JSON");
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof json !== "object" || Array.isArray(json) || typeof type !== "string")
    throw new FluxbaseRefusal("INVALID_MESSAGE", "a message must be a JSON object with a type");
  if (!Object.hasOwn(SCHEMAS, type))
    throw new FluxbaseRefusal("INVALID_MESSAGE", "unknown message type");
  // Before the schema, whose `z.json()` payloads would recurse as deep as the client nests them.
  const unsafe = findUnsafeInput(json, maxDepth);
  if (unsafe)
    throw new FluxbaseRefusal(
      "INVALID_MESSAGE",
      `invalid ${type} message: ${unsafe.path}: ${unsafe.message}`,
    );
  const parsed = SCHEMAS[type as keyof Schemas].safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new FluxbaseRefusal(
      "INVALID_MESSAGE",
      `invalid ${type} message: ${where}${issue?.message}`,
    );
  }
  return { type, ...parsed.data } as ClientMessage;
}
