import type { ChangePayload } from "@tidings/protocol";
import { type RedisClusterProcess, startRedisCluster } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { collect, eventually, pause, request } from "../support/socket-calls.ts";

// Enough collections (one room each) that their channels land on all three masters.
const COLLECTIONS = Array.from({ length: 24 }, (_, i) => `notes_${i}`);
const WRITES = 5;
const PASSWORD = "cluster-secret";

type Member = { id: string; userId: string | null; meta?: unknown };
type PresenceDiff = { room: string; joins: Member[]; leaves: Member[] };
/** The server-side events of a namespace, untyped (the gateway's own are typed). */
type ServerSide = {
  on(event: string, handler: (question: string, ack: (answer: string) => void) => void): void;
  serverSideEmitWithAck(event: string, question: string): Promise<string[]>;
};

/** Per collection, the `n` of each change received, in arrival order. */
function byCollection(changes: ChangePayload[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const change of changes) {
    const name = change.record.collectionName as string;
    out[name] = [...(out[name] ?? []), change.record.n as number];
  }
  return out;
}

const expected = () =>
  Object.fromEntries(
    COLLECTIONS.map((name) => [name, Array.from({ length: WRITES }, (_, i) => i + 1)]),
  );

describe("a gateway pair on a three-master Redis Cluster (password, sharded adapter)", () => {
  let redis: RedisClusterProcess;
  let cluster: Cluster;
  beforeAll(async () => {
    redis = await startRedisCluster({ password: PASSWORD });
    // Two nodes, each records + evaluator + gateway: the evaluators emit to the cluster, the
    // gateways' sharded adapters subscribe on it, presence keeps its keys there.
    cluster = await startCluster({
      nodes: 2,
      env: {
        TIDINGS_REDIS_URL: redis.url,
        TIDINGS_REDIS_CLUSTER: "true",
        TIDINGS_REDIS_CLUSTER_NODES: redis.nodes,
        TIDINGS_REDIS_PASSWORD: PASSWORD,
      },
    });
    for (const name of COLLECTIONS)
      await cluster.collection(openCollection(name, [{ name: "n", type: "number" }]));
  });
  afterAll(async () => {
    await cluster?.[Symbol.asyncDispose]();
    await redis?.[Symbol.asyncDispose]();
  });

  it("delivers every event once, in order, to subscribers on both gateways, from rooms on every master", async () => {
    const sockets = await Promise.all([0, 0, 1, 1].map((on) => cluster.socket(on)));
    const received = sockets.map((socket) => collect<ChangePayload>(socket, "change"));
    for (const socket of sockets)
      for (const collection of COLLECTIONS)
        expect((await request(socket, "subscribe", { collection })).ok).toBe(true);

    // The rooms' sharded channels are held on each of the three masters.
    const prefix = cluster.nodes[0]?.server.gatewayConfig.redisPrefix as string;
    const held = await Promise.all(
      redis.ports.map((port) => redis.cli(port, "pubsub", "shardchannels", `${prefix}#/#*`)),
    );
    expect(held.map((list) => list.trim().split("\n").filter(Boolean).length > 0)).toEqual([
      true,
      true,
      true,
    ]);

    // Writes through both nodes, all collections at once, each collection's in order.
    await Promise.all(
      COLLECTIONS.map(async (name) => {
        for (let n = 1; n <= WRITES; n += 1) {
          const answer = await cluster.call("POST", `/api/collections/${name}/records`, {
            body: { n },
            on: n % 2,
          });
          expect(answer.status).toBeLessThan(300);
        }
      }),
    );
    await eventually(() => {
      for (const changes of received) expect(byCollection(changes)).toEqual(expected());
    }, 15_000);
    // Nothing more arrives: each event came once.
    await pause(300);
    for (const changes of received) {
      expect(changes).toHaveLength(COLLECTIONS.length * WRITES);
      expect(new Set(changes.map((change) => `${change.channel} ${change.seq}`)).size).toBe(
        changes.length,
      );
    }
  });

  it("presence - members on the two gateways see each other join and leave", async () => {
    const [ann, bob] = [await cluster.user(), await cluster.user()];
    const onA = await cluster.socket(0, { token: ann.token });
    const onB = await cluster.socket(1, { token: bob.token });
    const seenByA = collect<PresenceDiff>(onA, "presence");
    const stateOfB = collect<{ room: string; members: Member[] }>(onB, "presence:state");
    expect((await request(onA, "presence:join", { room: "lobby" })).ok).toBe(true);
    expect((await request(onB, "presence:join", { room: "lobby" })).ok).toBe(true);
    await eventually(() =>
      expect(
        stateOfB
          .at(-1)
          ?.members.map((member) => member.userId)
          .sort(),
      ).toEqual([ann.user.id, bob.user.id].sort()),
    );
    await eventually(() =>
      expect(seenByA.flatMap((diff) => diff.joins.map((member) => member.userId))).toContain(
        bob.user.id,
      ),
    );
    onB.close();
    await eventually(() =>
      expect(seenByA.flatMap((diff) => diff.leaves.map((member) => member.userId))).toContain(
        bob.user.id,
      ),
    );
  });

  it("cross-node requests (serverSideEmitWithAck, as PocketBase's forwarded updates use) are answered", async () => {
    const [a, b] = cluster.nodes.map((node) => node.server.io.of("/") as unknown as ServerSide);
    b?.on("test:ask", (question, ack) => ack(`answer to ${question}`));
    expect(await a?.serverSideEmitWithAck("test:ask", "q1")).toEqual(["answer to q1"]);
  });
});
