import { describe, expect, it } from "vitest";
import { startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { eventually, request } from "../support/socket-calls.ts";

const open = openCollection("notes", [{ name: "n", type: "number" }]);

describe("connection bookkeeping", () => {
  it("a disconnected client's subscriptions are removed after the grace period, from the database and the evaluators", async () => {
    await using cluster = await startCluster({ env: { TIDINGS_DISCONNECT_GRACE: "1" } });
    await cluster.collection(open);
    const node = cluster.nodes[0]!.server;
    const prisma = node.records.db.prisma;
    const socket = await cluster.socket(0);
    expect((await request(socket, "subscribe", { collection: "notes" })).ok).toBe(true);
    expect(await prisma.realtimeSubscription.count()).toBe(1);
    const connection = await prisma.realtimeConnection.findUniqueOrThrow({
      where: { id: socket.id as string },
    });
    expect(connection).toMatchObject({ protocol: "socket.io", disconnectedAt: null });
    socket.close();
    await eventually(async () =>
      expect(
        (await prisma.realtimeConnection.findUnique({ where: { id: connection.id } }))
          ?.disconnectedAt,
      ).toBeInstanceOf(Date),
    );
    await eventually(async () => {
      expect(await prisma.realtimeSubscription.count()).toBe(0);
      expect(await prisma.realtimeConnection.count()).toBe(0);
    }, 10_000);
  });

  it("the connections of a node that stopped beating (killed) are swept by the others", async () => {
    await using cluster = await startCluster({
      env: { TIDINGS_HEARTBEAT_INTERVAL: "1", TIDINGS_IDLE_TIMEOUT: "5" },
    });
    await cluster.collection(open);
    const prisma = cluster.nodes[0]!.server.records.db.prisma;
    // A connection row left by a node that died without closing it.
    await prisma.realtimeConnection.create({
      data: { id: "ghost", nodeId: "dead-node", lastSeenAt: new Date(Date.now() - 60_000) },
    });
    await prisma.realtimeSubscription.create({
      data: {
        id: "ghost-sub",
        connectionId: "ghost",
        collectionId: "x",
        channel: "c",
        rulesVersion: "",
      },
    });
    await eventually(
      async () => expect(await prisma.realtimeConnection.count({ where: { id: "ghost" } })).toBe(0),
      10_000,
    );
    expect(await prisma.realtimeSubscription.count({ where: { id: "ghost-sub" } })).toBe(0);
  });
});
