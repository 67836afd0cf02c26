import type { Socket } from "socket.io-client";

/** An acknowledgement from the gateway. */
export type Ack =
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary ack fields
  | { ok: true; [field: string]: any }
  | { ok: false; error: { code: string; message: string; data?: Record<string, unknown> } };

/** Emits a message and resolves with its acknowledgement. */
export function request(
  socket: Socket,
  event: string,
  payload?: unknown,
  timeoutMs = 10_000,
): Promise<Ack> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack>;
}

/** Collects every payload of `event` the socket receives. */
export function collect<T = unknown>(socket: Socket, event: string): T[] {
  const received: T[] = [];
  socket.on(event, (payload: T) => received.push(payload));
  return received;
}

export { eventually, pause } from "@tidings/testing";
