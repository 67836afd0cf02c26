import { counterOf, METRICS } from "@tidings/telemetry";
import { isRealSocket } from "../compat/virtual-connection.ts";
import type { GatewayServer, GatewaySocket } from "./socket-types.ts";
import { closeWith } from "./token-expiry.ts";

interface TransportInternals {
  writeBuffer?: { data?: unknown }[];
  transport?: { socket?: { bufferedAmount?: number; terminate?(): void } };
  close(discard?: boolean): void;
}

/**
 * Bytes waiting to reach this client: what engine.io has not handed to the transport yet, plus what
 * the WebSocket has not written to the network.
 */
export function queuedBytes(socket: GatewaySocket): number {
  const conn = socket.conn as unknown as TransportInternals;
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) {
    const data = packet.data;
    bytes +=
      typeof data === "string" ? data.length : data instanceof Uint8Array ? data.byteLength : 0;
  }
  return bytes;
}

/**
 * Ends an engine.io connection at once: its backlog is dropped and the TCP connection destroyed,
 * instead of waiting (possibly forever) for a client that does not read to take a closing handshake.
 */
export function terminateConnection(conn: unknown): void {
  const internals = conn as TransportInternals;
  internals.close(true);
  internals.transport?.socket?.terminate?.();
}

/**
 * Cuts off clients that do not read: a socket whose queue passes `maxBytes` is disconnected with
 * `slow_consumer` (it may reconnect and resume), so its backlog cannot grow memory or delay others.
 * Each tick looks at up to `perTick` sockets, going on where the last one stopped: with 10,000
 * connections a walk over all of them every tick was 1–3 % of the gateway's CPU, and a client
 * that stops reading is still found within a few ticks.
 */
export function watchSlowConsumers(
  io: GatewayServer,
  maxBytes: number,
  intervalMs = 500,
  perTick = 2_000,
): { stop(): void } {
  const sockets = io.of("/").sockets;
  const cuts = counterOf(METRICS.slowConsumers);
  // A Map iterator stays valid while entries come and go, so the walk resumes where it stopped.
  let cursor = sockets.values();
  const timer = setInterval(() => {
    for (let checked = 0; checked < Math.min(perTick, sockets.size); checked += 1) {
      let next = cursor.next();
      if (next.done) {
        cursor = sockets.values();
        next = cursor.next();
        if (next.done) return;
      }
      const socket = next.value;
      if (!isRealSocket(socket) || queuedBytes(socket) <= maxBytes) continue;
      closeWith(socket, { reason: "slow_consumer", code: "SLOW_CONSUMER", reconnect: true });
      terminateConnection(socket.conn);
      cuts.add(1);
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
