import { EventEmitter } from "node:events";
import type { Logger } from "@tidings/service";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import type { ContentMessage } from "./content-message.ts";
import { ContentSocket } from "./content-socket.ts";
import type { ContentSubscriber } from "./content-subscriber.ts";

class FakeWebSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  sent: unknown[] = [];
  pings = 0;
  closedWith: [number, string] | undefined;
  terminated = false;
  send(data: unknown) {
    this.sent.push(data);
  }
  ping() {
    this.pings += 1;
  }
  close(code: number, reason: string) {
    this.closedWith = [code, reason];
    this.readyState = 2;
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
  }
}

const limits = { maxMessagesPerMinute: 3, slowConsumerBytes: 100, idleTimeoutMs: 2_000 };
const logger = { debug() {} } as unknown as Logger;

function setup(expiresAt: number | null = null) {
  const ws = new FakeWebSocket();
  let forward: ((message: ContentMessage) => void) | undefined;
  let revoke: (() => void) | undefined;
  const subscriber = {
    expiresAt,
    forward: (to: (message: ContentMessage) => void) => {
      forward = to;
    },
    whenRevoked: (close: () => void) => {
      revoke = close;
    },
  } as unknown as ContentSubscriber;
  const socket = new ContentSocket(ws as unknown as WebSocket, subscriber, limits, logger);
  return {
    ws,
    socket,
    deliver: (message: ContentMessage) => forward?.(message),
    revoke: () => revoke?.(),
  };
}

describe("ContentSocket", () => {
  it("sends its subscription's messages as JSON text", () => {
    const { ws, deliver } = setup();
    deliver({ event: "create", data: { id: "r1" } });
    expect(ws.sent).toEqual(['{"event":"create","data":{"id":"r1"}}']);
  });

  it("echoes client frames within the rate limit, then closes with 1008", () => {
    const { ws } = setup();
    for (let i = 0; i < 4; i += 1) ws.emit("message", Buffer.from(`m${i}`), false);
    expect(ws.sent.map(String)).toEqual(["m0", "m1", "m2"]);
    expect(ws.closedWith).toEqual([1008, "[429] Too many messages; slow down."]);
  });

  it("cuts off a client that lets more than the slow-consumer bytes pile up", () => {
    const { ws, deliver } = setup();
    ws.bufferedAmount = 101;
    deliver({ event: "create", data: {} });
    expect(ws.terminated).toBe(true);
  });

  it("heartbeat - pings a live client, drops a silent one, closes one whose token expired", () => {
    const live = setup();
    live.socket.beat(Date.now() + 1_000);
    expect(live.ws.pings).toBe(1);
    live.ws.emit("pong");
    live.socket.beat(Date.now() + 1_500);
    expect(live.ws.terminated).toBe(false);
    live.socket.beat(Date.now() + 2_500);
    expect(live.ws.terminated).toBe(true);
    const expiring = setup(Date.now() + 500);
    expiring.socket.beat(Date.now() + 1_000);
    expect(expiring.ws.closedWith).toEqual([1000, "[401] Token expired"]);
  });

  it("closes with [401] Token revoked once the subscriber's token is revoked", () => {
    const { ws, revoke } = setup(Date.now() + 60_000);
    revoke();
    expect(ws.closedWith).toEqual([1000, "[401] Token revoked"]);
  });
});
