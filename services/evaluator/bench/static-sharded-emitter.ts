import type { Redis } from "ioredis";
import type { RoomEmitter } from "../src/room-emitter.ts";

// socket.io-adapter's MessageType.BROADCAST and socket.io-parser's EVENT packet type.
const BROADCAST = 3;
const EVENT_PACKET = 2;

/**
 * The emitter a sharded adapter in "static" mode needs: the same JSON message as
 * `redisRoomEmitter`, but SPUBLISHed on the namespace's single channel, because static nodes
 * subscribe to nothing else. Only for the benchmark: every node receives every message.
 */
export function staticShardedEmitter(redis: Redis, channelPrefix: string): RoomEmitter {
  const namespace = "/";
  const channel = `${channelPrefix}#${namespace}#`;
  return {
    async emit(messages) {
      const pipeline = redis.pipeline();
      for (const { room, event, payload, except } of messages) {
        const message = {
          uid: "emitter",
          nsp: namespace,
          type: BROADCAST,
          data: {
            packet: { type: EVENT_PACKET, data: [event, payload], nsp: namespace },
            opts: { rooms: [room], except: except ? [except] : [], flags: {} },
          },
        };
        pipeline.spublish(channel, JSON.stringify(message));
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error !== null)?.[0];
      if (!results || failed) throw new Error("could not publish to Redis", { cause: failed });
    },
  };
}
