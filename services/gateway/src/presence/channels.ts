import { TidingsError } from "@tidings/protocol";
import { z } from "zod";

/** The two kinds of client channels: presence rooms and broadcast topics. */
export type ChannelKind = "presence" | "broadcast";

/**
 * Names of presence rooms and broadcast topics: Pusher's channel-name characters and limit (so a
 * Pusher channel maps onto one as it is) plus `:` (Fluxbase names channels `presence:<room>`).
 */
export const CHANNEL_NAME = /^[A-Za-z0-9_\-=@,.;:]{1,164}$/;

/** A presence room or broadcast topic name, for message schemas. */
export const channelName = z.string().regex(CHANNEL_NAME, "1-164 letters, digits or _-=@,.;:");

// Socket.IO room names of the channels. The prefixes keep them apart from subscription channels
// (base64url hashes, no `:`), and are over 20 characters long: the sharded Redis adapter takes a
// 20-character room for a socket id and would send its messages to every node.
const ROOM_PREFIX: Record<ChannelKind, string> = {
  presence: "tidings:presence:room:",
  broadcast: "tidings:broadcast:topic:",
};

/** The Socket.IO room whose members receive a presence room's or broadcast topic's events. */
export function channelRoom(kind: ChannelKind, name: string): string {
  return ROOM_PREFIX[kind] + name;
}

/** How many channels of this kind a connection is in (by its Socket.IO rooms). */
export function countChannels(connection: RoomConnection, kind: ChannelKind): number {
  let count = 0;
  for (const room of connection.rooms) if (room.startsWith(ROOM_PREFIX[kind])) count += 1;
  return count;
}

/**
 * A connection that holds Socket.IO rooms: a gateway socket, or the virtual socket through which a
 * compatibility protocol (Pusher, Fluxbase) joins the same rooms, so members see each other
 * whatever protocol they speak.
 */
export interface RoomConnection {
  readonly id: string;
  readonly connected: boolean;
  readonly rooms: ReadonlySet<string>;
  join(room: string): Promise<void> | void;
  leave(room: string): Promise<void> | void;
}

/**
 * Joins a connection to a room, unless it has closed: Socket.IO would keep a closed socket's late
 * join in the adapter (and the Redis subscription with it) for good.
 */
export async function joinRoom(connection: RoomConnection, room: string): Promise<void> {
  if (!connection.connected) throw new TidingsError("UNAVAILABLE", "The connection has closed.");
  await connection.join(room);
}
