import type { GatewaySocket } from "./socket-types.ts";

/** Server → client events about the connection itself. */
export const CONNECTION_EVENTS = {
  /** The token expires soon: send `auth` with a fresh one. */
  expiring: "auth:expiring",
  /** The server is about to close the connection, and says why and whether to reconnect. */
  closing: "tidings:disconnect",
} as const;

/** Why the server closes a connection; `reconnect` tells the client whether to come back. */
export type CloseReason =
  | { reason: "token_expired"; code: "UNAUTHORIZED"; reconnect: false }
  | { reason: "token_revoked"; code: "UNAUTHORIZED"; reconnect: false }
  | { reason: "server_shutdown"; code: "UNAVAILABLE"; reconnect: true }
  | { reason: "slow_consumer"; code: "SLOW_CONSUMER"; reconnect: true };

/** Tells the client why, then closes its connection. */
export function closeWith(socket: GatewaySocket, reason: CloseReason): void {
  socket.emit(CONNECTION_EVENTS.closing, reason);
  socket.disconnect(true);
}

// Deadlines are kept in one-second slots (a token's expiry has one-second precision too), checked
// four times a second: a connection is closed at most 1.25 s after its token expired.
const SLOT_MS = 1_000;
const TICK_MS = 250;
const slotOf = (time: number) => Math.ceil(time / SLOT_MS);

/**
 * Watches the tokens of every connection with one timer: warns `warningMs` before a token expires
 * (at once if less is left), and closes the connection with `token_expired` when it does, unless
 * `auth` brought a new token in between. A watched connection costs two set entries, not two
 * timers with their closures.
 */
export class ExpiryWatch {
  readonly #warningMs: number;
  readonly #warnings = new Map<number, Set<GatewaySocket>>();
  readonly #closings = new Map<number, Set<GatewaySocket>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(warningMs: number) {
    this.#warningMs = warningMs;
  }

  /** Watches the socket's current token (`socket.data.expiresAt`; null: one that never expires). */
  watch(socket: GatewaySocket): void {
    const expiresAt = socket.data.expiresAt;
    if (expiresAt === null) return;
    if (expiresAt - this.#warningMs <= Date.now()) warn(socket);
    else add(this.#warnings, slotOf(expiresAt - this.#warningMs), socket);
    add(this.#closings, slotOf(expiresAt), socket);
    this.#timer ??= setInterval(() => this.#tick(), TICK_MS).unref();
  }

  /** Stops watching the token that expires at `expiresAt` (by default the socket's current one). */
  unwatch(socket: GatewaySocket, expiresAt = socket.data.expiresAt): void {
    if (expiresAt === null) return;
    remove(this.#warnings, slotOf(expiresAt - this.#warningMs), socket);
    remove(this.#closings, slotOf(expiresAt), socket);
  }

  #tick(): void {
    const now = Date.now();
    for (const [slot, sockets] of this.#warnings) {
      if (slot * SLOT_MS > now) continue;
      this.#warnings.delete(slot);
      for (const socket of sockets) warn(socket);
    }
    for (const [slot, sockets] of this.#closings) {
      if (slot * SLOT_MS > now) continue;
      this.#closings.delete(slot);
      for (const socket of sockets)
        closeWith(socket, { reason: "token_expired", code: "UNAUTHORIZED", reconnect: false });
    }
    if (this.#warnings.size === 0 && this.#closings.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#warnings.clear();
    this.#closings.clear();
  }
}

function warn(socket: GatewaySocket): void {
  const expiresAt = new Date(socket.data.expiresAt ?? Date.now()).toISOString();
  socket.emit(CONNECTION_EVENTS.expiring, { expiresAt });
}

function add(slots: Map<number, Set<GatewaySocket>>, slot: number, socket: GatewaySocket): void {
  const sockets = slots.get(slot);
  if (sockets) sockets.add(socket);
  else slots.set(slot, new Set([socket]));
}

function remove(slots: Map<number, Set<GatewaySocket>>, slot: number, socket: GatewaySocket): void {
  const sockets = slots.get(slot);
  if (!sockets?.delete(socket) || sockets.size > 0) return;
  slots.delete(slot);
}
