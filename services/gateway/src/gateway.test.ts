import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TokenService } from "@tidings/auth";
import { createMemoryBus } from "@tidings/bus";
import { CollectionCatalog } from "@tidings/collections";
import type { SqlClient } from "@tidings/db";
import { createLifecycle, createLogger } from "@tidings/service";
import { eventually, pause } from "@tidings/testing";
import { io as connect } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_GATEWAY_CONFIG } from "./config.ts";
import { createGateway } from "./gateway.ts";
import { openTestWorld, type TestWorld } from "./presence/testing/test-node.ts";
import { createSocketServer } from "./realtime/socket-server.ts";

/** A gate: `reached` resolves when something waits at it, which goes on at `open()`. */
function gate() {
  let arrive = () => {};
  let open = () => {};
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  const wait = () => {
    arrive();
    return opened;
  };
  return { reached, open, wait };
}

/** A gateway node on `world`, with its token checks and database calls as given. */
async function startNode(world: TestWorld, tokens: TokenService, sql: SqlClient) {
  const http = createServer();
  const sockets = createSocketServer(http, DEFAULT_GATEWAY_CONFIG, createLogger("silent"), "*");
  const bus = createMemoryBus();
  await bus.start();
  const gateway = createGateway(
    {
      io: sockets.io,
      prisma: world.prisma,
      sql,
      bus,
      tokens,
      collections: new CollectionCatalog(world.prisma),
      lifecycle: createLifecycle(),
      logger: createLogger("silent"),
      nodeId: `test-${randomBytes(4).toString("hex")}`,
      roomsReady: sockets.roomsReady,
    },
    DEFAULT_GATEWAY_CONFIG,
  );
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    client: (token: string) =>
      connect(url, { auth: { token }, transports: ["websocket"], reconnection: false }),
    async [Symbol.asyncDispose]() {
      await gateway.stop();
      await sockets.close();
      await bus.stop();
    },
  };
}

describe("gateway connections", () => {
  let world: TestWorld;
  const rows = (userId: string) => world.prisma.realtimeConnection.findMany({ where: { userId } });
  beforeAll(async () => {
    world = await openTestWorld();
  });
  afterAll(() => world[Symbol.asyncDispose]());

  it("a client that leaves while its token is checked leaves no connection row", async () => {
    const user = await world.user();
    const checking = gate();
    const tokens = {
      ...world.tokens,
      verify: async (token: string) => {
        await checking.wait();
        return world.tokens.verify(token);
      },
    };
    await using node = await startNode(world, tokens, world.sql);
    const client = node.client(user.token);
    await checking.reached;
    client.close();
    await pause(100);
    checking.open();
    await pause(500);
    expect(await rows(user.id)).toEqual([]);
  });

  it("a client that leaves while its connection row is written has the row closed", async () => {
    const user = await world.user();
    const inserting = gate();
    // The database holds the connection's insert, as it would under load.
    const sql: SqlClient = {
      async query(text, params) {
        if (text.includes("INSERT INTO realtime_connections")) await inserting.wait();
        return world.sql.query(text, params);
      },
    };
    await using node = await startNode(world, world.tokens, sql);
    const client = node.client(user.token);
    await inserting.reached;
    client.close();
    await pause(100);
    inserting.open();
    await eventually(async () => {
      const [row] = await rows(user.id);
      expect(row?.disconnectedAt).toBeInstanceOf(Date);
    });
  });
});
