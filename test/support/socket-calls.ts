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

/**
 * How many milliseconds after `since` (epoch ms) `settled` settled (about 0 if it already had), or
 * Infinity if it has not within `limitMs`: to assert that something happens within a deadline.
 */
export async function msUntil(
  settled: Promise<unknown>,
  since: number,
  limitMs = 3_000,
): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<number>((resolve) => {
    timer = setTimeout(() => resolve(Number.POSITIVE_INFINITY), limitMs);
  });
  try {
    return await Promise.race([settled.then(() => Date.now() - since), late]);
  } finally {
    clearTimeout(timer);
  }
}
