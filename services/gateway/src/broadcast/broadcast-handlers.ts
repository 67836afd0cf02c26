import { TidingsError } from "@tidings/protocol";
import { z } from "zod";
import type { ChannelAccess } from "../presence/channel-access.ts";
import { channelName } from "../presence/channels.ts";
import type { AnyMessageHandler, MessageHandler } from "../realtime/message-router.ts";
import type { BroadcastService } from "./broadcast-service.ts";

/** The `broadcast:join` and `broadcast:leave` messages. */
export const broadcastTopicMessage = z.strictObject({ topic: channelName });

/** The `broadcast` message; the payload is any JSON within the message size limit. */
export const broadcastMessage = z.strictObject({ topic: channelName, payload: z.json() });

type TopicMessage = z.infer<typeof broadcastTopicMessage>;

/**
 * `broadcast:join` (passes `access` first: `FORBIDDEN`), `broadcast:leave` (`NOT_FOUND` when not
 * in the topic) and `broadcast` (`FORBIDDEN` unless in the topic), each acked with `{topic}`.
 */
export function broadcastHandlers(
  broadcast: BroadcastService,
  access: ChannelAccess,
): Record<string, AnyMessageHandler> {
  const join: MessageHandler<TopicMessage> = {
    schema: broadcastTopicMessage,
    async handle(socket, { topic }) {
      await access("broadcast", topic, socket.data.auth);
      await broadcast.join(socket, topic);
      return { topic };
    },
  };
  const leave: MessageHandler<TopicMessage> = {
    schema: broadcastTopicMessage,
    async handle(socket, { topic }) {
      if (!(await broadcast.leave(socket, topic)))
        throw new TidingsError("NOT_FOUND", `This connection is not in topic "${topic}".`);
      return { topic };
    },
  };
  const send: MessageHandler<z.infer<typeof broadcastMessage>> = {
    schema: broadcastMessage,
    async handle(socket, { topic, payload }) {
      if (!broadcast.isMember(socket, topic))
        throw new TidingsError("FORBIDDEN", `Join topic "${topic}" before sending to it.`);
      broadcast.publish(
        { topic, payload, from: { id: socket.id, userId: socket.data.auth?.id ?? null } },
        socket.id,
      );
      return { topic };
    },
  };
  return { "broadcast:join": join, "broadcast:leave": leave, broadcast: send };
}
