import { TidingsError } from "@tidings/protocol";
import { z } from "zod";
import type { AnyMessageHandler, MessageHandler } from "../realtime/message-router.ts";
import type { ChannelAccess } from "./channel-access.ts";
import { channelName } from "./channels.ts";
import { PRESENCE_EVENTS, type PresenceService } from "./presence-service.ts";

/** Largest meta a member may publish, in bytes of JSON. */
export const MAX_META_BYTES = 2_048;

/** The `presence:join` message. */
export const presenceJoinMessage = z.strictObject({
  room: channelName,
  meta: z
    .record(z.string(), z.json())
    .refine(
      (meta) => Buffer.byteLength(JSON.stringify(meta)) <= MAX_META_BYTES,
      `at most ${MAX_META_BYTES} bytes of JSON`,
    )
    .default({}),
});

/** The `presence:leave` message. */
export const presenceLeaveMessage = z.strictObject({ room: channelName });

/**
 * `presence:join` (ack `{room, member}`, after `presence:state` to the joiner) and `presence:leave`
 * (ack `{room}`; `NOT_FOUND` when not in the room). Joins pass `access` first (`FORBIDDEN`).
 */
export function presenceHandlers(
  presence: PresenceService,
  access: ChannelAccess,
): Record<string, AnyMessageHandler> {
  const join: MessageHandler<z.infer<typeof presenceJoinMessage>> = {
    schema: presenceJoinMessage,
    async handle(socket, { room, meta }) {
      const auth = socket.data.auth;
      await access("presence", room, auth);
      const { member, members } = await presence.join(socket, room, {
        userId: auth?.id ?? null,
        meta,
      });
      // In the same tick as the read it reports, so no diff newer than that read can overtake it.
      socket.emit(PRESENCE_EVENTS.state, { room, members });
      return { room, member };
    },
  };
  const leave: MessageHandler<z.infer<typeof presenceLeaveMessage>> = {
    schema: presenceLeaveMessage,
    async handle(socket, { room }) {
      if (!(await presence.leave(socket, room)))
        throw new TidingsError("NOT_FOUND", `This connection is not in presence room "${room}".`);
      return { room };
    },
  };
  return { "presence:join": join, "presence:leave": leave };
}
