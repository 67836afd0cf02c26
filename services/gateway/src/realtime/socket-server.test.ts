import { createServer } from "node:http";
import { createLogger } from "@tidings/service";
import { startRedisCluster, TEST_REDIS_URL, withRedis } from "@tidings/testing";
import { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_GATEWAY_CONFIG } from "../config.ts";
import { createSocketServer } from "./socket-server.ts";

describe("createSocketServer", () => {
  it("roomsReady - callers waiting together share one PING of the subscriber connection", async () => {
    const redis = await withRedis();
    const config = {
      ...DEFAULT_GATEWAY_CONFIG,
      redis: { url: TEST_REDIS_URL },
      redisPrefix: redis.prefix,
    };
    const sockets = createSocketServer(createServer(), config, createLogger("silent"), "*");
    const ping = vi.spyOn(Redis.prototype, "ping");
    try {
      await Promise.all(Array.from({ length: 10 }, () => sockets.roomsReady()));
      expect(ping).toHaveBeenCalledTimes(1);
      await sockets.roomsReady();
      expect(ping).toHaveBeenCalledTimes(2);
    } finally {
      ping.mockRestore();
      await sockets.close();
    }
  });

  it("roomsReady - on a Redis Cluster, resolves once the rooms' channels are subscribed on their masters", async () => {
    await using cluster = await startRedisCluster();
    const config = {
      ...DEFAULT_GATEWAY_CONFIG,
      redis: {
        url: cluster.url,
        clusterNodes: cluster.ports.map((port) => ({ host: "127.0.0.1", port })),
      },
      redisPrefix: "t",
    };
    const sockets = createSocketServer(createServer(), config, createLogger("silent"), "*");
    try {
      const rooms = Array.from({ length: 40 }, (_, i) => `room-${i}`);
      sockets.io.of("/").adapter.addAll("a-socket", new Set(rooms));
      await sockets.roomsReady();
      const held = await Promise.all(
        cluster.ports.map((port) => cluster.cli(port, "pubsub", "shardchannels", "t#/#room-*")),
      );
      const channels = held.flatMap((list) => list.trim().split("\n").filter(Boolean));
      expect(channels.sort()).toEqual(rooms.map((room) => `t#/#${room}#`).sort());
      expect(held.every((list) => list.trim() !== "")).toBe(true);
    } finally {
      await sockets.close();
    }
  });
});
