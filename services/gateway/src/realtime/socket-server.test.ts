import { createServer } from "node:http";
import { createLogger } from "@tidings/service";
import { TEST_REDIS_URL, withRedis } from "@tidings/testing";
import { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_GATEWAY_CONFIG } from "../config.ts";
import { createSocketServer } from "./socket-server.ts";

describe("createSocketServer", () => {
  it("roomsReady - callers waiting together share one PING of the subscriber connection", async () => {
    const redis = await withRedis();
    const config = {
      ...DEFAULT_GATEWAY_CONFIG,
      redisUrl: TEST_REDIS_URL,
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
});
