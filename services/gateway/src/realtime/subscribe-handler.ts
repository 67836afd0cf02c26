import type { CollectionCatalog } from "@tidings/collections";
import { SERVER_EVENTS, SUBSCRIBABLE_ACTIONS, TidingsError } from "@tidings/protocol";
import { countRefusal } from "@tidings/service";
import { z } from "zod";
import { planSubscription } from "../subscriptions/subscription-planner.ts";
import type { SubscriptionStore } from "../subscriptions/subscription-store.ts";
import type { EventHistory } from "./event-history.ts";
import type { MessageHandler } from "./message-router.ts";
import { queuedBytes } from "./slow-consumers.ts";
import type { GatewaySocket } from "./socket-types.ts";

const NAME = /^[A-Za-z0-9_]{1,64}$/;

/** The `subscribe` message. */
export const subscribeMessage = z.strictObject({
  collection: z.string().regex(NAME, "a collection name or id"),
  recordId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "a record id")
    .optional(),
  filter: z.string().max(4_096).optional(),
  events: z.array(z.enum(SUBSCRIBABLE_ACTIONS)).max(3).optional(),
  select: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "a field name"))
    .max(100)
    .optional(),
  resumeFrom: z.number().int().min(0).optional(),
});
export type SubscribeMessage = z.infer<typeof subscribeMessage>;

/** What subscribing needs from the gateway. */
export interface SubscribeDeps {
  collections: CollectionCatalog;
  history: EventHistory;
  store: SubscriptionStore;
  maxSubscriptionsPerConnection: number;
  /** Resolves once rooms joined so far receive messages from every node (Redis: SSUBSCRIBE done). */
  roomsReady(): Promise<void>;
  /** A replay pauses while more than this many bytes wait for the client. */
  replayBacklogBytes: number;
}

/** Waits (up to 10 s) until fewer than `bytes` wait to be sent to the socket. */
async function untilDrained(socket: GatewaySocket, bytes: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (socket.connected && queuedBytes(socket) > bytes && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * `subscribe`: validates everything before storing anything, stores and announces the subscription,
 * joins the socket to its channel, and for a resume sends the missed changes before acknowledging.
 */
export function subscribeHandler(deps: SubscribeDeps): MessageHandler<SubscribeMessage> {
  return {
    schema: subscribeMessage,
    async handle(socket, input) {
      const state = socket.data;
      if (state.subscriptions.size >= deps.maxSubscriptionsPerConnection) {
        countRefusal("subscriptions_per_connection");
        throw new TidingsError(
          "LIMIT_EXCEEDED",
          `At most ${deps.maxSubscriptionsPerConnection} subscriptions per connection.`,
        );
      }
      const { collection, rules, spec } = await planSubscription(
        deps.collections,
        { connectionId: state.connectionId, auth: state.auth },
        input.collection,
        { ...input, filterSyntax: "pocketbase" },
      );
      if (input.resumeFrom !== undefined) await deps.history.assertResumable(input.resumeFrom);
      await deps.store.add(spec, state.auth?.id ?? null);
      // The client may have gone while this was stored: a closed socket must not join a room (the
      // adapter would keep the room, and its Redis subscription, forever).
      if (!socket.connected) {
        await deps.store.remove([spec.id]);
        throw new TidingsError("UNAVAILABLE", "The connection closed while subscribing.");
      }
      state.subscriptions.set(spec.id, spec.channel);
      await socket.join(spec.channel);
      await deps.roomsReady();
      // Read once the subscription is announced and its room receives every node's emits: every
      // event after this position reaches the socket live, so a client that has received nothing
      // yet can still resume from it, and a resume needs to replay nothing beyond it.
      const throughSeq = await deps.history.end();
      if (input.resumeFrom === undefined) return { id: spec.id, channel: spec.channel, throughSeq };
      const replayed = await deps.history.replay({
        collection,
        rules,
        spec,
        after: input.resumeFrom,
        through: throughSeq,
        send: (payload) => socket.emit(SERVER_EVENTS.change, payload),
        drained: () => untilDrained(socket, deps.replayBacklogBytes),
      });
      return { id: spec.id, channel: spec.channel, replayed, throughSeq };
    },
  };
}
