import type PocketBase from "pocketbase";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { openCollection } from "../../support/collections.ts";
import { eventually } from "../../support/socket-calls.ts";
import {
  createRecord,
  frontProxy,
  postSubscriptions,
  type RawStream,
  type RecordEvent,
  rawStream,
  sdk,
} from "./pocketbase-support.ts";

describe("pocketbase realtime: stream lifetimes and draining nodes", () => {
  let cluster: Cluster;
  // Nodes: 0 and 1 with the defaults (0 is drained), 2 with a short idle timeout, 3 with a short
  // maximum lifetime.
  const url = (node: number) => cluster.nodes[node]?.url as string;
  const streams: RawStream[] = [];
  const clients: PocketBase[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    await cluster.addNode({ TIDINGS_POCKETBASE_IDLE_TIMEOUT: "2" });
    await cluster.addNode({ TIDINGS_POCKETBASE_MAX_LIFETIME: "1" });
    await cluster.collection(openCollection("posts", [{ name: "title", type: "text" }]));
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    for (const pb of clients) await pb.realtime.unsubscribe();
    await cluster?.[Symbol.asyncDispose]();
  });

  /** An SDK client subscribed to `posts/*`, recording its disconnects and events. */
  async function subscribed(base: string) {
    const pb = sdk(base);
    clients.push(pb);
    const disconnects: number[] = [];
    pb.realtime.onDisconnect = () => disconnects.push(Date.now());
    const events: RecordEvent[] = [];
    await pb.collection("posts").subscribe("*", (event) => events.push(event as RecordEvent));
    return { pb, disconnects, events };
  }

  /** Creates records until one reaches `events`: a reconnecting client misses what happens meanwhile. */
  async function flowsAgain(events: RecordEvent[], on: number): Promise<void> {
    const before = events.length;
    await eventually(async () => {
      if (events.length === before) await createRecord(cluster, "posts", { title: "again" }, on);
      await eventually(() => expect(events.length).toBeGreaterThan(before), 1_000);
    }, 15_000);
  }

  it("an idle stream is closed at the idle timeout, and the SDK reconnects and resubscribes", async () => {
    const raw = await rawStream(url(2));
    streams.push(raw);
    const opened = Date.now();
    await raw.ended;
    expect(Date.now() - opened).toBeGreaterThanOrEqual(1_900);

    const { pb, disconnects, events } = await subscribed(url(2));
    const first = pb.realtime.clientId;
    await eventually(() => expect(disconnects.length).toBeGreaterThan(0), 10_000);
    await eventually(() => {
      expect(pb.realtime.isConnected).toBe(true);
      expect(pb.realtime.clientId).not.toBe(first);
    });
    await flowsAgain(events, 2);
  });

  it("a stream is closed at its maximum lifetime even while events flow", async () => {
    const raw = await rawStream(url(3));
    streams.push(raw);
    const opened = Date.now();
    await postSubscriptions(url(3), { clientId: raw.clientId, subscriptions: ["posts/*"] });
    const busy = setInterval(() => {
      void createRecord(cluster, "posts", { title: "busy" }, 3).catch(() => {});
    }, 200);
    try {
      await raw.ended;
    } finally {
      clearInterval(busy);
    }
    expect(Date.now() - opened).toBeGreaterThanOrEqual(900);
    expect(raw.frames[0]?.event).toBe("PB_CONNECT");
  });

  it("a draining node closes its streams and the SDK reconnects to another node at once", async () => {
    let target = url(0);
    const front = await frontProxy(() => target);
    try {
      const { pb, disconnects, events } = await subscribed(front.url);
      const first = pb.realtime.clientId;
      await createRecord(cluster, "posts", { title: "before" }, 1);
      await eventually(() => expect(events).toHaveLength(1));
      // The load balancer sends new requests elsewhere once the node drains.
      target = url(1);
      await cluster.nodes[0]?.stop();
      await eventually(() => expect(disconnects).toHaveLength(1));
      await eventually(() => {
        expect(pb.realtime.isConnected).toBe(true);
        expect(pb.realtime.clientId).not.toBe(first);
      });
      const reconnectedAfter = Date.now() - (disconnects[0] as number);
      expect(reconnectedAfter).toBeLessThan(1_500);
      await flowsAgain(events, 1);
    } finally {
      front.close();
    }
  });
});
