import { eventually, jetStreamApi, startNatsCluster, startNatsServer } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { decode, encode, sleep } from "../bus-suite-support.ts";
import { BusConfigError, isRetryable } from "../errors.ts";
import type { Bus } from "../types.ts";
import { createJetStreamBus } from "./jetstream-bus.ts";

const STREAMS = ["EVENTS", "SUBS", "DLQ", "LEASES"].map((kind) => `REPLICATED_${kind}`);

/** num_replicas of each of the bus's streams, and how many peers each has in the cluster. */
async function replicasOf(url: string): Promise<Array<{ replicas: number; peers: number }>> {
  const replies = (await jetStreamApi(
    url,
    STREAMS.map((name) => ({ api: `STREAM.INFO.${name}` })),
  )) as Array<{ config?: { num_replicas: number }; cluster?: { replicas?: unknown[] } }>;
  return replies.map((reply) => ({
    replicas: reply.config?.num_replicas ?? 0,
    // The leader plus the other replicas it lists (while a stream is scaled, briefly more).
    peers: (reply.cluster?.replicas?.length ?? 0) + 1,
  }));
}

const busOn = (servers: string | string[], replicas: number): Bus =>
  createJetStreamBus({ servers, prefix: "replicated", partitions: 2, replicas });

describe("jetstream stream replicas", () => {
  it("single server: creates every stream with the replicas asked for (1), and refuses more with a clear error", async () => {
    await using server = await startNatsServer();
    const one = busOn(server.url, 1);
    await one.start();
    await one.stop();
    expect(await replicasOf(server.url)).toEqual(STREAMS.map(() => ({ replicas: 1, peers: 1 })));
    // Existing streams: a single server would take the update and still keep one copy.
    const three = busOn(server.url, 3);
    const error = await three.start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BusConfigError);
    expect(String(error)).toMatch(
      /NATS refused stream REPLICATED_\w+ with 3 replica\(s\): replicas > 1 not supported in non-clustered mode; a stream has at most as many replicas as the JetStream cluster has servers/,
    );
    expect(await replicasOf(server.url)).toEqual(STREAMS.map(() => ({ replicas: 1, peers: 1 })));
    // New streams: the server's own refusal, with the same hint.
    await using fresh = await startNatsServer();
    const refused = await busOn(fresh.url, 3)
      .start()
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(BusConfigError);
    expect(String(refused)).toMatch(/with 3 replica\(s\): replicas > 1 not supported/);
  });

  it("three-node cluster: streams get 3 replicas, existing single-replica streams are scaled up, and losing a node stalls nothing", async () => {
    await using cluster = await startNatsCluster({ size: 3 });
    const [first, second] = cluster.urls as [string, string, string];
    // A deployment that started with one replica…
    const before = busOn(first, 1);
    await before.start();
    const old = await before.publish(before.subjects.eventFor("posts"), encode({ n: 1 }));
    await before.stop();
    expect(await replicasOf(second)).toEqual(STREAMS.map(() => ({ replicas: 1, peers: 1 })));
    // …restarts with three: every stream is updated in place, keeping what it holds.
    const bus = busOn(cluster.urls, 3);
    await bus.start();
    try {
      await eventually(async () =>
        expect(await replicasOf(second)).toEqual(STREAMS.map(() => ({ replicas: 3, peers: 3 }))),
      );
      // Five cannot be placed on three servers: refused, naming the stream and the replicas.
      const five = await busOn(first, 5)
        .start()
        .catch((caught: unknown) => caught);
      expect(five).toBeInstanceOf(BusConfigError);
      expect(String(five)).toMatch(/with 5 replica\(s\): .*at most as many replicas/);

      // One node goes away: the other two still hold a majority of every stream. What it led
      // (the stream, the meta group that places consumers) is re-elected within seconds, during
      // which calls fail as retryable, as the services treat them.
      await cluster.servers[0]?.stop();
      const subject = bus.subjects.eventFor("posts");
      // Seconds on a quiet machine; with the whole suite running beside it, one run took over 30.
      const deadline = Date.now() + 45_000;
      const retrying = async <T>(call: () => Promise<T>): Promise<T> => {
        for (;;) {
          try {
            return await call();
          } catch (error) {
            if (!isRetryable(error) || Date.now() > deadline) throw error;
            await sleep(200);
          }
        }
      };
      await retrying(() => bus.publish(subject, encode({ n: 2 }), { msgId: "after-loss" }));
      const stored = await retrying(() => bus.read(subject, old.seq));
      expect(stored.map((record) => decode(record.data).n)).toEqual([1, 2]);
    } finally {
      await bus.stop();
    }
  }, 75_000);
});
