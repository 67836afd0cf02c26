import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { Emitter } from "@socket.io/redis-emitter";
import type { Redis } from "ioredis";
import type { ServerOptions } from "socket.io";
import { redisRoomEmitter } from "../src/redis-room-emitter.ts";
import type { RoomEmitter } from "../src/room-emitter.ts";
import { staticShardedEmitter } from "./static-sharded-emitter.ts";

/** One gateway adapter and the emitter that can reach it: what the benchmark compares. */
export interface Pairing {
  label: string;
  /** The Redis event carrying adapter traffic to a node, counted to see what each node receives. */
  subscriberEvent: "pmessageBuffer" | "smessageBuffer";
  adapter(pub: Redis, sub: Redis, prefix: string): ServerOptions["adapter"];
  emitter(redis: Redis, prefix: string): RoomEmitter;
}

export const PAIRINGS = {
  // The baseline: what most Socket.IO deployments run. Every node PSUBSCRIBEs the namespace's
  // pattern, so every node receives every room's messages and drops those for rooms it lacks.
  classic: {
    label: "classic adapter + @socket.io/redis-emitter",
    subscriberEvent: "pmessageBuffer",
    adapter: (pub, sub, prefix) => createAdapter(pub, sub, { key: prefix }),
    emitter: (redis, prefix) => redisEmitter(redis, prefix),
  },
  // What Tidings runs (services/gateway/src/realtime/socket-server.ts).
  "sharded-dynamic": {
    label: "sharded adapter (dynamic) + redisRoomEmitter (ours)",
    subscriberEvent: "smessageBuffer",
    adapter: (pub, sub, prefix) =>
      createShardedAdapter(pub, sub, { channelPrefix: prefix, subscriptionMode: "dynamic" }),
    emitter: (redis, prefix) => redisRoomEmitter(redis, { channelPrefix: prefix }),
  },
  // Sharded Pub/Sub with one channel per namespace: the classic fan-out on SSUBSCRIBE.
  "sharded-static": {
    label: "sharded adapter (static) + SPUBLISH on the namespace channel",
    subscriberEvent: "smessageBuffer",
    adapter: (pub, sub, prefix) =>
      createShardedAdapter(pub, sub, { channelPrefix: prefix, subscriptionMode: "static" }),
    emitter: (redis, prefix) => staticShardedEmitter(redis, prefix),
  },
} satisfies Record<string, Pairing>;

export type PairingName = keyof typeof PAIRINGS;

export function isPairingName(name: string): name is PairingName {
  return Object.hasOwn(PAIRINGS, name);
}

/**
 * `@socket.io/redis-emitter` behind the `RoomEmitter` interface. It fires each PUBLISH and
 * forgets it; a PING after the batch answers once Redis has handled every PUBLISH before it (one
 * connection runs commands in order), which bounds what is in flight like our awaited pipeline.
 */
function redisEmitter(redis: Redis, prefix: string): RoomEmitter {
  const emitter = new Emitter(redis, { key: prefix });
  return {
    async emit(messages) {
      for (const { room, event, payload, except } of messages) {
        const target = emitter.to(room);
        (except ? target.except(except) : target).emit(event, payload);
      }
      await redis.ping();
    },
  };
}
