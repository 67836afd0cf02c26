import { once } from "node:events";
import {
  createLogger,
  createRedisClient,
  type RedisClient,
  type RedisSettings,
} from "@tidings/service";
import {
  type RedisClusterProcess,
  startRedisCluster,
  TEST_REDIS_URL,
  withRedis,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmitFailedError, redisRoomEmitter } from "./redis-room-emitter.ts";
import type { RoomEmit } from "./room-emitter.ts";

const logger = createLogger("silent");
const ROOMS = Array.from({ length: 30 }, (_, i) => `room-${i}`);
const PER_ROOM = 5;

/** What a gateway's sharded adapter would receive: room → payloads, in arrival order. */
async function listen(sub: RedisClient, prefix: string, rooms: string[]) {
  const received = new Map<string, number[]>();
  sub.on("smessage", (_channel: string, raw: string) => {
    const message = JSON.parse(raw) as {
      data: { packet: { data: [string, { n: number }] }; opts: { rooms: string[] } };
    };
    const room = message.data.opts.rooms[0] as string;
    received.set(room, [...(received.get(room) ?? []), message.data.packet.data[1].n]);
  });
  await Promise.all(rooms.map((room) => sub.ssubscribe(`${prefix}#/#${room}#`)));
  return received;
}

/** PER_ROOM messages to every room, interleaved across rooms. */
function messages(): RoomEmit[] {
  const all: RoomEmit[] = [];
  for (let n = 1; n <= PER_ROOM; n += 1)
    for (const room of ROOMS) all.push({ room, event: "change", payload: { n } });
  return all;
}

/** Waits for a client without offline queue to be connected (to every master of a cluster). */
async function connected(client: RedisClient): Promise<void> {
  if (client.status !== "ready") await once(client, "ready");
}

const inOrder = () => new Map(ROOMS.map((room) => [room, [1, 2, 3, 4, 5]]));

describe("redisRoomEmitter", () => {
  it("one server - one pipeline per call, each room's messages in order", async () => {
    const { prefix } = await withRedis();
    const settings: RedisSettings = { url: TEST_REDIS_URL };
    const [sub, emitter] = [
      createRedisClient(settings, "subscriber", logger),
      createRedisClient(settings, "emitter", logger),
    ];
    try {
      const received = await listen(sub, prefix, ROOMS);
      await connected(emitter);
      const emit = redisRoomEmitter(emitter, { channelPrefix: prefix });
      const all = messages();
      for (let i = 0; i < all.length; i += 40) await emit.emit(all.slice(i, i + 40));
      await expect.poll(() => received, { timeout: 5_000 }).toEqual(inOrder());
    } finally {
      sub.disconnect();
      emitter.disconnect();
    }
  });

  describe("on a three-master Redis Cluster", () => {
    let cluster: RedisClusterProcess;
    let settings: RedisSettings;
    beforeAll(async () => {
      cluster = await startRedisCluster();
      settings = {
        url: cluster.url,
        clusterNodes: cluster.ports.map((port) => ({ host: "127.0.0.1", port })),
      };
    });
    afterAll(() => cluster?.[Symbol.asyncDispose]());

    it("rooms on every master receive each message once, in order per room", async () => {
      const [sub, emitter] = [
        createRedisClient(settings, "subscriber", logger),
        createRedisClient(settings, "emitter", logger),
      ];
      try {
        const received = await listen(sub, "tidings", ROOMS);
        await connected(emitter);
        // The rooms' channels are spread over the three masters: one pipeline could not hold them.
        const held = await Promise.all(
          cluster.ports.map((port) => cluster.cli(port, "pubsub", "shardchannels", "tidings#*")),
        );
        expect(held.every((list) => list.trim() !== "")).toBe(true);
        const emit = redisRoomEmitter(emitter, { channelPrefix: "tidings" });
        const all = messages();
        for (let i = 0; i < all.length; i += 40) await emit.emit(all.slice(i, i + 40));
        await expect.poll(() => received, { timeout: 5_000 }).toEqual(inOrder());
      } finally {
        sub.disconnect();
        emitter.disconnect();
      }
    });

    it("rejects retryably, once every message is settled, while the cluster is down", async () => {
      await using down = await startRedisCluster();
      const emitter = createRedisClient(
        { url: down.url, clusterNodes: [{ host: "127.0.0.1", port: down.ports[0] as number }] },
        "emitter",
        logger,
      );
      try {
        const emit = redisRoomEmitter(emitter);
        // No offline queue: emits fail until the client has found the masters.
        await expect
          .poll(() => emit.emit(messages()).then(() => "sent", String), { timeout: 5_000 })
          .toBe("sent");
        await down.stop();
        const failure = await emit.emit(messages()).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(EmitFailedError);
        expect((failure as EmitFailedError).retryable).toBe(true);
      } finally {
        emitter.disconnect();
      }
    });
  });
});
