import { TidingsError } from "@tidings/protocol";
import {
  CHANNEL_NAME,
  channelRoom,
  countChannels,
  joinRoom,
  type RoomConnection,
} from "../presence/channels.ts";
import type { GatewayServer } from "../realtime/socket-types.ts";

/** The server → client event of a client broadcast. */
export const BROADCAST_EVENT = "broadcast";

/** The `broadcast` event: a payload a member sent to a topic, and who sent it. */
export interface BroadcastMessage {
  topic: string;
  payload: unknown;
  from: { id: string; userId: string | null };
}

/** What the broadcast service is built from. */
export interface BroadcastDeps {
  io: GatewayServer;
  /** Resolves once rooms joined so far receive messages from every node. */
  roomsReady(): Promise<void>;
}

/** Broadcast settings. */
export interface BroadcastOptions {
  /** Topics one connection may be in; beyond is `LIMIT_EXCEEDED`. @default 50 */
  maxTopicsPerConnection?: number;
}

/**
 * Client broadcast topics of the cluster, on Socket.IO rooms: a message reaches the topic's
 * members on every node, whichever protocol they speak (compatibility protocols join their
 * virtual sockets to the same rooms and translate {@link BroadcastMessage}s).
 */
export interface BroadcastService {
  /** Joins a topic (again: no change). `LIMIT_EXCEEDED` past the per-connection limit. */
  join(connection: RoomConnection, topic: string): Promise<void>;
  /** Leaves a topic; false if the connection was not in it. */
  leave(connection: RoomConnection, topic: string): Promise<boolean>;
  isMember(connection: RoomConnection, topic: string): boolean;
  /** Sends to every member of `message.topic` on every node but the connection `except`. */
  publish(message: BroadcastMessage, except?: string): void;
}

function assertTopicName(topic: string): void {
  if (!CHANNEL_NAME.test(topic))
    throw new TidingsError("INVALID_MESSAGE", `"${topic.slice(0, 64)}" is not a valid topic name.`);
}

/** The broadcast service of a node. Access is the caller's to check. */
export function createBroadcastService(
  deps: BroadcastDeps,
  options: BroadcastOptions = {},
): BroadcastService {
  const maxTopics = options.maxTopicsPerConnection ?? 50;
  const isMember = (connection: RoomConnection, topic: string) =>
    connection.rooms.has(channelRoom("broadcast", topic));
  return {
    async join(connection, topic) {
      assertTopicName(topic);
      if (isMember(connection, topic)) return;
      if (countChannels(connection, "broadcast") >= maxTopics) {
        throw new TidingsError(
          "LIMIT_EXCEEDED",
          `At most ${maxTopics} broadcast topics per connection.`,
        );
      }
      await joinRoom(connection, channelRoom("broadcast", topic));
      await deps.roomsReady();
    },
    async leave(connection, topic) {
      if (!isMember(connection, topic)) return false;
      await connection.leave(channelRoom("broadcast", topic));
      return true;
    },
    isMember,
    publish(message, except) {
      assertTopicName(message.topic);
      const target = deps.io.to(channelRoom("broadcast", message.topic));
      (except ? target.except(except) : target).emit(BROADCAST_EVENT, message);
    },
  };
}
