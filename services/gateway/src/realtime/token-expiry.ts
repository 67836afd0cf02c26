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
  | { reason: "server_shutdown"; code: "UNAVAILABLE"; reconnect: true }
  | { reason: "slow_consumer"; code: "SLOW_CONSUMER"; reconnect: true };

/** Tells the client why, then closes its connection. */
export function closeWith(socket: GatewaySocket, reason: CloseReason): void {
  socket.emit(CONNECTION_EVENTS.closing, reason);
  socket.disconnect(true);
}

// setTimeout cannot wait longer than this; longer waits are re-armed in steps.
const MAX_TIMER_MS = 2_147_483_647;

/** Runs `task` at `at` (epoch ms), however far away, through a chain of bounded timers. */
function at(time: number, task: () => void, timers: Set<NodeJS.Timeout>): void {
  const wait = time - Date.now();
  const timer = setTimeout(
    () => {
      timers.delete(timer);
      if (wait > MAX_TIMER_MS) at(time, task, timers);
      else task();
    },
    Math.max(0, Math.min(wait, MAX_TIMER_MS)),
  );
  timers.add(timer);
}

/**
 * Watches a socket's token: warns `warningMs` before it expires, and closes the connection with
 * `token_expired` when it does, unless `auth` brought a new token (call `reset`) in between.
 */
export function watchTokenExpiry(
  socket: GatewaySocket,
  warningMs: number,
): { reset(): void; clear(): void } {
  const timers = new Set<NodeJS.Timeout>();
  const clear = () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
  const reset = () => {
    clear();
    const expiresAt = socket.data.expiresAt;
    if (expiresAt === null) return;
    at(
      expiresAt - warningMs,
      () =>
        socket.emit(CONNECTION_EVENTS.expiring, { expiresAt: new Date(expiresAt).toISOString() }),
      timers,
    );
    at(
      expiresAt,
      () => closeWith(socket, { reason: "token_expired", code: "UNAUTHORIZED", reconnect: false }),
      timers,
    );
  };
  reset();
  return { reset, clear };
}
