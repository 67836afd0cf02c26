import { TidingsError } from "@tidings/protocol";
import { z } from "zod";
import type { SubscriptionStore } from "../subscriptions/subscription-store.ts";
import type { MessageHandler } from "./message-router.ts";
import type { GatewaySocket } from "./socket-types.ts";

/** The `unsubscribe` message. */
export const unsubscribeMessage = z.strictObject({ id: z.string().min(1).max(64) });

/** Leaves a subscription's channel unless another subscription of the socket still uses it. */
async function dropSubscription(socket: GatewaySocket, id: string): Promise<void> {
  const channel = socket.data.subscriptions.get(id);
  if (channel === undefined) return;
  socket.data.subscriptions.delete(id);
  const stillUsed = [...socket.data.subscriptions.values()].includes(channel);
  if (!stillUsed) await socket.leave(channel);
}

/** `unsubscribe`: stops deliveries to this socket at once, then forgets the subscription. */
export function unsubscribeHandler(
  store: SubscriptionStore,
): MessageHandler<z.infer<typeof unsubscribeMessage>> {
  return {
    schema: unsubscribeMessage,
    async handle(socket, { id }) {
      if (!socket.data.subscriptions.has(id))
        throw new TidingsError("NOT_FOUND", `This connection has no subscription "${id}".`);
      await dropSubscription(socket, id);
      await store.remove([id]);
      return { id };
    },
  };
}
