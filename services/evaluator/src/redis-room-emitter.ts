import { DELIVERY_META_FLAG } from "@tidings/protocol";
import type { RedisClient } from "@tidings/service";
import type { RoomEmit, RoomEmitter } from "./room-emitter.ts";

/** Socket.IO's channel prefix and namespace, as the gateways' sharded adapter uses them. */
export interface ShardedChannelOptions {
  /** @default "socket.io" */
  channelPrefix?: string;
  /** @default "/" */
  namespace?: string;
}

// socket.io-adapter's MessageType.BROADCAST and socket.io-parser's EVENT packet type.
const BROADCAST = 3;
const EVENT_PACKET = 2;
// The uid the official emitters use: adapters do not count it as a server of the cluster.
const EMITTER_UID = "emitter";

/** A network failure while emitting: the events stay in the bus and are tried again. */
export class EmitFailedError extends Error {
  override readonly name = "EmitFailedError";
  readonly retryable = true;
}

/**
 * Emits to the rooms of gateways that use `@socket.io/redis-adapter`'s sharded adapter in dynamic
 * mode: one SPUBLISH per message on the room's own channel, so only gateways holding the room
 * receive it. `@socket.io/redis-emitter` cannot be used: it PUBLISHes, which sharded subscribers
 * never see. Unlike `io.emit()`, which drops a failed publish silently, every SPUBLISH here is
 * awaited, so a Redis outage is an error the caller can act on. Works on one Redis server (one
 * pipeline per call) and on a Redis Cluster.
 */
export function redisRoomEmitter(
  redis: RedisClient,
  options: ShardedChannelOptions = {},
): RoomEmitter {
  const namespace = options.namespace ?? "/";
  const base = `${options.channelPrefix ?? "socket.io"}#${namespace}#`;
  const send = redis.isCluster ? publishEach : publishPipelined;
  return {
    async emit(messages) {
      if (messages.length === 0) return;
      await send(
        redis,
        messages.map((message) => [`${base}${message.room}#`, encode(namespace, message)]),
      );
    },
  };
}

type Publish = [channel: string, message: string];

async function publishPipelined(redis: RedisClient, publishes: Publish[]): Promise<void> {
  const pipeline = redis.pipeline();
  for (const [channel, message] of publishes) pipeline.spublish(channel, message);
  let results: [Error | null, unknown][] | null;
  try {
    results = await pipeline.exec();
  } catch (error) {
    throw new EmitFailedError("could not publish to Redis", { cause: error });
  }
  const failed = results?.find(([error]) => error !== null)?.[0];
  if (!results || failed)
    throw new EmitFailedError("could not publish to Redis", { cause: failed });
}

// On a cluster, a pipeline may only hold keys of one master, and the rooms' channels hash to slots
// all over the cluster. So each SPUBLISH is sent on its own (the emitter's cluster client
// auto-pipelines those bound for one master): a room's channel has one slot, hence one master and
// one connection, so its messages keep their order. All are settled before the call fails, so a
// retry never overtakes a message of the failed attempt.
async function publishEach(redis: RedisClient, publishes: Publish[]): Promise<void> {
  const results = await Promise.allSettled(
    publishes.map(([channel, message]) => redis.spublish(channel, message)),
  );
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw new EmitFailedError("could not publish to Redis", { cause: failed.reason });
}

function encode(namespace: string, { room, event, payload, except, meta }: RoomEmit): string {
  return JSON.stringify({
    uid: EMITTER_UID,
    nsp: namespace,
    type: BROADCAST,
    data: {
      packet: { type: EVENT_PACKET, data: [event, payload], nsp: namespace },
      opts: {
        rooms: [room],
        except: except ? [except] : [],
        flags: meta ? { [DELIVERY_META_FLAG]: meta } : {},
      },
    },
  });
}
