import { z } from "zod";

/** Version of the change-event message on the bus; a consumer refuses other versions. */
export const CHANGE_EVENT_VERSION = 1;

const recordJson = z.looseObject({
  id: z.string().min(1),
  collectionId: z.string(),
  collectionName: z.string(),
  created: z.string(),
  updated: z.string(),
});

/**
 * One change as the outbox relay publishes it: written by the records service (its own writes and
 * the internal publish API), read by evaluators and by gateways replaying for a resume.
 */
export const changeEventSchema = z.strictObject({
  v: z.literal(CHANGE_EVENT_VERSION),
  /** `<database instance>:<outbox seq>`: unique, and the stream's de-duplication id. */
  id: z.string().min(1),
  collectionId: z.string().min(1),
  collectionName: z.string().min(1),
  action: z.enum(["created", "updated", "deleted"]),
  /** After the change; for a delete, the record as it was. Hidden fields included. */
  record: recordJson,
  /** Before an update. */
  oldRecord: recordJson.nullable(),
  /** The writer's realtime connection, left out of the delivery. */
  socketId: z.string().nullable(),
  /** Commit time, ISO 8601. */
  at: z.string(),
});

/**
 * Headers the relay sets on each change event, so evaluators need no round trip per batch:
 * - `Tidings-Subs-Seq`: the last sequence of the subscription-deltas stream, read after the event
 *   was committed. An evaluator whose deltas are applied up to it knows every subscription that
 *   was acknowledged before the write.
 * - `Tidings-Rules-Version`: the collection's `updated` as the relay read it ("" when the
 *   collection is gone). An evaluator holding an older definition reloads it first.
 */
export const CHANGE_EVENT_HEADERS = {
  subsSeq: "Tidings-Subs-Seq",
  rulesVersion: "Tidings-Rules-Version",
} as const;

/** A change event as carried on the bus. */
export type ChangeEventMessage = z.infer<typeof changeEventSchema>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Serialises a change event for the bus. */
export function encodeChangeEvent(event: ChangeEventMessage): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

/** A message on the events stream that is not a valid change event. */
export class InvalidChangeEventError extends Error {
  override readonly name = "InvalidChangeEventError";
}

/** Parses and validates a change event from the bus. */
export function decodeChangeEvent(data: Uint8Array): ChangeEventMessage {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch (error) {
    throw new InvalidChangeEventError("the change event is not JSON", { cause: error });
  }
  const result = changeEventSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidChangeEventError(
      `invalid change event: ${result.error.issues[0]?.message ?? "?"}`,
      {
        cause: result.error,
      },
    );
  }
  return result.data;
}
