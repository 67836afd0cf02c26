import type { ChangePayload, SubscribableAction } from "@tidings/protocol/wire";

/** Server → client events (docs/protocol.md). */
export const SERVER_EVENT = {
  change: "change",
  resubscribe: "resubscribe",
  expiring: "auth:expiring",
  closing: "tidings:disconnect",
  error: "tidings:error",
  presence: "presence",
  presenceState: "presence:state",
  broadcast: "broadcast",
} as const;

/** The `subscribe` message. */
export interface SubscribeMessage {
  collection: string;
  recordId?: string;
  filter?: string;
  events?: SubscribableAction[];
  select?: string[];
  resumeFrom?: number;
}

/** A successful `subscribe` ack; a resume adds how far the replay went. */
export interface SubscribeAck {
  id: string;
  channel: string;
  replayed?: number;
  throughSeq?: number;
}

/** `tidings:disconnect`: why the server is closing the connection, and whether to come back. */
export interface CloseNotice {
  reason: "token_expired" | "token_revoked" | "server_shutdown" | "slow_consumer" | (string & {});
  code: string;
  reconnect: boolean;
}

/** `auth:expiring`: the token runs out at `expiresAt` (ISO 8601) unless `auth` brings a new one. */
export interface ExpiringNotice {
  expiresAt: string;
}

/** One connection's presence in a room. */
export interface PresenceMember<M = Record<string, unknown>> {
  /** The member's connection (Socket.IO socket id). */
  id: string;
  /** The signed-in user, or null. */
  userId: string | null;
  meta: M;
  /** ISO 8601. */
  joinedAt: string;
}

/** `presence`: who came and went. */
export interface PresenceDiff {
  room: string;
  joins: PresenceMember[];
  leaves: PresenceMember[];
}

/** `presence:state`: everyone in the room now. */
export interface PresenceState {
  room: string;
  members: PresenceMember[];
}

/** `broadcast` as delivered to the other members of a topic. */
export interface BroadcastDelivery {
  topic: string;
  payload: unknown;
  from: { id: string; userId: string | null };
}

export type { ChangePayload, SubscribableAction };
