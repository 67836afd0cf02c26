import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GatewaySocket } from "./socket-types.ts";
import { CONNECTION_EVENTS, ExpiryWatch } from "./token-expiry.ts";

/** A socket whose token expires at `expiresAt`, recording what it is sent. */
function socketExpiringAt(expiresAt: number) {
  const events: string[] = [];
  const socket = {
    data: { expiresAt },
    emit: (event: string) => events.push(event),
    disconnect: () => events.push("closed"),
  } as unknown as GatewaySocket;
  return { socket, events };
}

describe("ExpiryWatch", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("warns before each token expires and closes its connection when it does, with one timer for all", () => {
    const watch = new ExpiryWatch(10_000);
    const clients = Array.from({ length: 100 }, (_, i) =>
      socketExpiringAt(1_000_000 + 60_000 + i * 100),
    );
    for (const { socket } of clients) watch.watch(socket);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(49_000);
    expect(clients[0]?.events).toEqual([]);
    vi.advanceTimersByTime(1_250);
    expect(clients[0]?.events).toEqual([CONNECTION_EVENTS.expiring]);
    vi.advanceTimersByTime(10_000);
    expect(clients[0]?.events).toEqual([
      CONNECTION_EVENTS.expiring,
      CONNECTION_EVENTS.closing,
      "closed",
    ]);
    vi.advanceTimersByTime(12_000);
    expect(clients.every(({ events }) => events.at(-1) === "closed")).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a renewed token is watched instead of the old one; an unwatched one is left alone", () => {
    const watch = new ExpiryWatch(10_000);
    const renewed = socketExpiringAt(1_000_000 + 30_000);
    const gone = socketExpiringAt(1_000_000 + 30_000);
    watch.watch(renewed.socket);
    watch.watch(gone.socket);
    watch.unwatch(gone.socket);
    const previous = renewed.socket.data.expiresAt;
    renewed.socket.data.expiresAt = 1_000_000 + 120_000;
    watch.unwatch(renewed.socket, previous);
    watch.watch(renewed.socket);
    vi.advanceTimersByTime(60_000);
    expect(renewed.events).toEqual([]);
    expect(gone.events).toEqual([]);
    vi.advanceTimersByTime(62_000);
    expect(renewed.events).toEqual([
      CONNECTION_EVENTS.expiring,
      CONNECTION_EVENTS.closing,
      "closed",
    ]);
  });

  it("a token with less than the warning time left is warned at once; one without expiry never", () => {
    const watch = new ExpiryWatch(10_000);
    const soon = socketExpiringAt(1_000_000 + 5_000);
    const never = { socket: { data: { expiresAt: null } } as unknown as GatewaySocket };
    watch.watch(soon.socket);
    watch.watch(never.socket);
    expect(soon.events).toEqual([CONNECTION_EVENTS.expiring]);
    vi.advanceTimersByTime(6_250);
    expect(soon.events.at(-1)).toBe("closed");
  });
});
