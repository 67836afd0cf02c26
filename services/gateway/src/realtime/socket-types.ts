import type { AuthUser } from "@tidings/records";
import type { Server, Socket } from "socket.io";

/** A subscription this socket holds. */
export interface HeldSubscription {
  id: string;
  channel: string;
  collectionId: string;
}

/** What the gateway keeps on each socket. */
export interface SocketState {
  /** The user, or null for an anonymous client. */
  auth: AuthUser | null;
  /** When the token expires (epoch ms), or null for an anonymous client. */
  expiresAt: number | null;
  /** The connection's id in the database (the socket id). */
  connectionId: string;
  subscriptions: Map<string, HeldSubscription>;
}

/** The gateway's Socket.IO server and sockets, typed. */
// biome-ignore lint/suspicious/noExplicitAny: Socket.IO's event maps are open-ended here; messages are validated by hand
export type GatewayServer = Server<any, any, any, SocketState>;
// biome-ignore lint/suspicious/noExplicitAny: as above
export type GatewaySocket = Socket<any, any, any, SocketState>;
