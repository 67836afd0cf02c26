import { CompatSession } from "@tidings/gateway";
import type { ChangePayload } from "@tidings/protocol";
import { describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { eventually, pause } from "../support/socket-calls.ts";

const open = openCollection("notes", [
  { name: "n", type: "number" },
  { name: "owner", type: "text" },
]);

function session(cluster: Cluster, node: number, id: string, received: ChangePayload[]) {
  const server = cluster.nodes[node]!.server;
  return new CompatSession(
    server.gateway.compatDeps(),
    { id, protocol: "test", onRevoked: () => {} },
    (_subscription, change) => received.push(change),
  );
}

describe("compatibility sessions (virtual room members)", () => {
  it("receive their channels' changes on any node, leave out their own writes, and clean up on close", async () => {
    await using cluster = await startCluster({ nodes: 2 });
    await cluster.collection(open);
    const [onA, onB] = [[] as ChangePayload[], [] as ChangePayload[]];
    const a = session(cluster, 0, "compat-a", onA);
    const b = session(cluster, 1, "compat-b", onB);
    await a.open();
    await b.open();
    await a.subscribe("notes", {});
    await b.subscribe("notes", { filter: "n > 1" });
    await cluster.call("POST", "/api/collections/notes/records", { body: { n: 1 } });
    await cluster.call("POST", "/api/collections/notes/records", {
      body: { n: 2 },
      headers: { "x-socket-id": "compat-a" },
    });
    await eventually(() => expect(onB.map((c) => c.record.n)).toEqual([2]));
    await pause();
    expect(onA.map((c) => c.record.n)).toEqual([1]);
    const prisma = cluster.nodes[0]!.server.records.db.prisma;
    expect(await prisma.realtimeSubscription.count()).toBe(2);
    await a.close();
    await b.close();
    expect(await prisma.realtimeSubscription.count()).toBe(0);
    expect(cluster.nodes[0]!.server.io.of("/").sockets.has("compat-a")).toBe(false);
  });

  it("a rule change renews the subscription on its new channel without losing changes", async () => {
    await using cluster = await startCluster();
    await cluster.collection(open);
    const received: ChangePayload[] = [];
    const s = session(cluster, 0, "compat-r", received);
    await s.open();
    const subscription = await s.subscribe("notes", {});
    const before = subscription.channel;
    await cluster.call("POST", "/api/collections/notes/records", { body: { n: 1 } });
    await eventually(() => expect(received).toHaveLength(1));
    await cluster.call("PATCH", "/api/collections/notes", {
      token: cluster.superuser.token,
      body: { listRule: "n > 0" },
    });
    for (let n = 2; n <= 5; n += 1)
      await cluster.call("POST", "/api/collections/notes/records", { body: { n } });
    await eventually(() => expect(received.map((c) => c.record.n)).toEqual([1, 2, 3, 4, 5]));
    expect(subscription.channel).not.toBe(before);
    await s.close();
  });
});
