import { type Topic, Topics } from "./broadcast.ts";
import { CollectionRef } from "./collection.ts";
import {
  Connection,
  type ConnectionEvents,
  type ConnectionOptions,
  type ConnectionState,
} from "./connection.ts";
import type { Listener } from "./emitter.ts";
import { type PresenceRoom, PresenceRooms } from "./presence.ts";
import { SubscriptionManager } from "./subscriptions.ts";

/** Options of {@link createClient}. */
export type ClientOptions = ConnectionOptions;

/** What a client reports about its connection. */
export type ClientEvents = Pick<
  ConnectionEvents,
  "state" | "error" | "tokenExpiring" | "serverDisconnect"
>;

/** A connection to a Tidings server and everything that lives on it. */
export interface TidingsClient {
  readonly state: ConnectionState;
  /** The connection id (send it as `X-Socket-Id` with a write to be left out of its event). */
  readonly id: string | undefined;
  /** A collection to subscribe to. */
  collection<T = Record<string, unknown>>(name: string): CollectionRef<T>;
  /** A presence room (one object per name). */
  presence<M = Record<string, unknown>>(room: string): PresenceRoom<M>;
  /** A client broadcast topic (one object per name). */
  topic<P = unknown>(name: string): Topic<P>;
  /**
   * Replaces the token: on an open connection it is sent with `auth` (rejects with `FORBIDDEN` for
   * another user's token); a connection closed for an expired or revoked token connects again
   * with it.
   */
  setToken(token: string): Promise<void>;
  /**
   * `state` (`connecting`, `open`, `closed`), `error` (a refused connection, an expired token, a
   * revoked one (`isTokenRevoked`), a failed refresh, …), `tokenExpiring` (send a new token with
   * `setToken`, or pass `refreshToken`) and `serverDisconnect` (the server's reason before it
   * closes the connection). Returns a function that removes the listener.
   */
  on<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents, K>): () => void;
  /** Closes the connection for good; subscriptions end. */
  close(): void;
}

/**
 * Connects to a Tidings server (`url` of its HTTP root; Socket.IO at `/socket.io`) and keeps
 * connected: subscriptions resume where they left off, presence rooms and topics are joined again.
 */
export function createClient(url: string, options: ClientOptions = {}): TidingsClient {
  const connection = new Connection(url, options);
  const subscriptions = new SubscriptionManager(connection);
  const rooms = new PresenceRooms(connection);
  const topics = new Topics(connection);
  return {
    get state() {
      return connection.state;
    },
    get id() {
      return connection.socket.id;
    },
    collection: (name) => new CollectionRef(name, subscriptions),
    presence: (room) => rooms.get(room),
    topic: (name) => topics.get(name),
    setToken: (token) => connection.setToken(token),
    on: (event, listener) => connection.on(event, listener),
    close() {
      connection.close();
      subscriptions.closeAll();
    },
  };
}
