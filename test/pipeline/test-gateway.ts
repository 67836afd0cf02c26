import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import type { ChangePayload } from "@tidings/protocol";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";

/** A test client: what it received, in order. */
export interface TestClient {
  readonly id: string;
  readonly changes: ChangePayload[];
  readonly resubscribes: string[];
  close(): void;
}

/**
 * A bare Socket.IO server on the sharded Redis adapter (dynamic mode), standing in for a gateway:
 * clients join the rooms they name, and record what reaches them.
 */
export class TestGateway {
  readonly #http: HttpServer;
  readonly #io: Server;
  readonly #redis: Redis[];
  readonly #clients: Socket[] = [];

  private constructor(http: HttpServer, io: Server, redis: Redis[]) {
    this.#http = http;
    this.#io = io;
    this.#redis = redis;
  }

  static async start(redisUrl: string, channelPrefix: string): Promise<TestGateway> {
    const pub = new Redis(redisUrl);
    const sub = pub.duplicate();
    for (const client of [pub, sub]) client.on("error", () => {});
    const http = createServer();
    const io = new Server(http, {
      adapter: createShardedAdapter(pub, sub, { subscriptionMode: "dynamic", channelPrefix }),
    });
    io.on("connection", (socket) => {
      socket.join(socket.handshake.auth.rooms as string[]);
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    return new TestGateway(http, io, [pub, sub]);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
  }

  /** Connects a client in `rooms`; resolves once the server has joined it to them. */
  async client(rooms: string[]): Promise<TestClient> {
    const socket = connect(this.url, {
      auth: { rooms },
      transports: ["websocket"],
      forceNew: true,
    });
    this.#clients.push(socket);
    const changes: ChangePayload[] = [];
    const resubscribes: string[] = [];
    socket.on("change", (payload: ChangePayload) => changes.push(payload));
    socket.on("resubscribe", ({ channel }: { channel: string }) => resubscribes.push(channel));
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    // The join, and the Redis SSUBSCRIBE it starts, happen on the server after the handshake.
    await this.#roomsSubscribed(rooms);
    return { id: socket.id as string, changes, resubscribes, close: () => socket.close() };
  }

  async #roomsSubscribed(rooms: string[]): Promise<void> {
    const deadline = Date.now() + 5_000;
    const channels = rooms.map(
      (room) => `${(this.#io.of("/").adapter as unknown as { channel: string }).channel}${room}#`,
    );
    for (;;) {
      const counts = (await this.#redis[0]!.call("PUBSUB", "SHARDNUMSUB", ...channels)) as (
        | string
        | number
      )[];
      if (counts.filter((_, i) => i % 2 === 1).every((n) => Number(n) > 0)) return;
      if (Date.now() > deadline) throw new Error("rooms were not subscribed in time");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    for (const socket of this.#clients) socket.close();
    await new Promise<void>((resolve) => this.#io.close(() => resolve()));
    for (const redis of this.#redis) redis.disconnect();
  }
}
