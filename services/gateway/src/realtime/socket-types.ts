import type { AuthUser } from "@tidings/auth";
import type { Server, Socket } from "socket.io";

/** What the gateway keeps on each socket. */
export interface SocketState {
  /** The user, or null for an anonymous client. */
  auth: AuthUser | null;
  /** When the token expires (epoch ms), or null for an anonymous client. */
  expiresAt: number | null;
  /** The token it signed in with (the latest `auth`), checked again when its user changes. */
  token: string | null;
  /** The connection's id in the database (the socket id). */
  connectionId: string;
  /** The subscriptions it holds: id → channel. */
  subscriptions: Map<string, string>;
}

/** The gateway's Socket.IO server and sockets, typed. */
// biome-ignore lint/suspicious/noExplicitAny: Socket.IO's event maps are open-ended here; messages are validated by hand
export type GatewayServer = Server<any, any, any, SocketState>;
// biome-ignore lint/suspicious/noExplicitAny: as above
export type GatewaySocket = Socket<any, any, any, SocketState>;
