import { z } from "zod";
import { SUBSCRIBABLE_ACTIONS } from "./change-payload.ts";

/** The filter languages a subscription may be written in (compatibility protocols bring theirs). */
export const FILTER_SYNTAXES = ["pocketbase", "fastschema", "fluxbase"] as const;
export type FilterSyntax = (typeof FILTER_SYNTAXES)[number];

/**
 * A live subscription as gateways store and announce it and evaluators index it: who subscribed
 * (with the auth values rules read), to what, and the room (channel) its changes go to.
 */
export const subscriptionSpecSchema = z.strictObject({
  id: z.string().min(1),
  connectionId: z.string().min(1),
  collectionId: z.string().min(1),
  recordId: z.string().nullable(),
  filter: z.string().nullable(),
  filterSyntax: z.enum(FILTER_SYNTAXES),
  /** Empty: every action. */
  events: z.array(z.enum(SUBSCRIBABLE_ACTIONS)),
  /** Empty: every visible field. */
  select: z.array(z.string()),
  /** The subscriber as `@request.auth` (null when anonymous). */
  auth: z.record(z.string(), z.unknown()).nullable(),
  superuser: z.boolean(),
  /** The room: the subscription's group key. */
  channel: z.string().min(1),
  /** The collection's `updated` when the channel was computed. */
  rulesVersion: z.string(),
});
export type SubscriptionSpec = z.infer<typeof subscriptionSpecSchema>;

/**
 * What gateways tell evaluators about subscriptions, on the subs stream. A gateway announces the
 * subscriptions it stored together in one `addMany`; `add` (one) is still understood.
 */
export const subscriptionDeltaSchema = z.discriminatedUnion("type", [
  z.strictObject({ v: z.literal(1), type: z.literal("add"), subscription: subscriptionSpecSchema }),
  z.strictObject({
    v: z.literal(1),
    type: z.literal("addMany"),
    subscriptions: z.array(subscriptionSpecSchema).min(1),
  }),
  z.strictObject({ v: z.literal(1), type: z.literal("remove"), ids: z.array(z.string()).min(1) }),
]);
export type SubscriptionDelta = z.infer<typeof subscriptionDeltaSchema>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Serialises a delta for the subs stream. */
export function encodeSubscriptionDelta(delta: SubscriptionDelta): Uint8Array {
  return encoder.encode(JSON.stringify(delta));
}

/**
 * The `addMany` deltas announcing `specs`, each at most `maxBytes` long (a spec larger than that
 * goes alone), so that a batch never exceeds the bus's message size.
 */
export function encodeAddDeltas(
  specs: readonly SubscriptionSpec[],
  maxBytes: number,
): Uint8Array[] {
  const head = '{"v":1,"type":"addMany","subscriptions":[';
  const messages: Uint8Array[] = [];
  let parts: string[] = [];
  let bytes = head.length + 2;
  const close = () => {
    if (parts.length > 0) messages.push(encoder.encode(`${head}${parts.join(",")}]}`));
    parts = [];
    bytes = head.length + 2;
  };
  for (const spec of specs) {
    const part = JSON.stringify(spec);
    const size = encoder.encode(part).length + 1;
    if (parts.length > 0 && bytes + size > maxBytes) close();
    parts.push(part);
    bytes += size;
  }
  close();
  return messages;
}

/** Parses a delta; throws on anything that is not one. */
export function decodeSubscriptionDelta(data: Uint8Array): SubscriptionDelta {
  return subscriptionDeltaSchema.parse(JSON.parse(decoder.decode(data)));
}

/**
 * The part of a subscription that is not a condition but still separates deliveries: two
 * subscriptions share a room only when they want the same actions and fields.
 */
export function deliveryExtra(spec: Pick<SubscriptionSpec, "events" | "select">): string {
  return JSON.stringify([[...spec.events].sort(), [...spec.select].sort()]);
}
