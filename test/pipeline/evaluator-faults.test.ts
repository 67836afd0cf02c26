import type { Bus } from "@tidings/bus";
import type { ChangePayload } from "@tidings/protocol";
import { startNatsServer, startRedisServer } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { openCollection } from "../support/collections.ts";
import { eventually, settle } from "./eventually.ts";
import { type Pipeline, startPipeline } from "./pipeline-harness.ts";
import type { TestClient } from "./test-gateway.ts";

const open = (name: string) =>
  openCollection(name, [
    { name: "n", type: "number" },
    { name: "key", type: "text" },
  ]);

/** What a client keeps after dropping repeats by seq, as the SDK does. */
function deduplicated(changes: ChangePayload[]): ChangePayload[] {
  const seen = new Set<string>();
  return changes.filter((change) => {
    const key = `${change.channel}:${change.seq}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Checks per record: every version arrived once, in the order it was written. */
function expectEveryWriteInOrder(changes: ChangePayload[], writes: Map<string, number[]>): void {
  const unique = deduplicated(changes);
  for (const [id, expected] of writes) {
    const got = unique.filter((c) => c.record.id === id).map((c) => c.record.n as number);
    expect(got, `record ${id}`).toEqual(expected);
  }
  const perChannel = new Map<string, number>();
  for (const change of unique) {
    expect(change.seq, "seq increases per channel").toBeGreaterThan(
      perChannel.get(change.channel) ?? 0,
    );
    perChannel.set(change.channel, change.seq);
  }
}

/** Creates `records` records in each collection and updates each `updates` times, in parallel per collection. */
async function writeMany(
  p: Pipeline,
  collections: string[],
  records: number,
  updates: number,
  during?: () => Promise<void>,
) {
  const writes = new Map<string, number[]>();
  const ids: [string, string][] = [];
  for (const name of collections) {
    for (let r = 0; r < records; r += 1) {
      const created = await p.call("POST", `/api/collections/${name}/records`, {
        body: { n: 0, key: `${name}-${r}` },
      });
      ids.push([name, created.body.id]);
      writes.set(created.body.id, [0]);
    }
  }
  for (let u = 1; u <= updates; u += 1) {
    if (u === Math.ceil(updates / 2)) await during?.();
    await Promise.all(
      ids.map(async ([name, id]) => {
        const answer = await p.call("PATCH", `/api/collections/${name}/records/${id}`, {
          body: { n: u },
        });
        expect(answer.status).toBe(200);
        writes.get(id)?.push(u);
      }),
    );
  }
  return writes;
}

async function subscribeAll(p: Pipeline, collections: string[]): Promise<TestClient> {
  const channels = [];
  for (const name of collections) channels.push((await p.subscribe(null, name)).channel);
  return p.gateway.client(channels);
}

const COLLECTIONS = ["c_alpha", "c_bravo", "c_charlie", "c_delta"];

describe("evaluator under faults", () => {
  it("two evaluators share the partitions; per-record order holds and nothing is lost or repeated", async () => {
    await using p = await startPipeline({ evaluators: 2, bus: { partitions: 4 } });
    for (const name of COLLECTIONS) await p.collection(open(name));
    const client = await subscribeAll(p, COLLECTIONS);
    const writes = await writeMany(p, COLLECTIONS, 2, 5);
    await settle(client, 48);
    expect(client.changes).toHaveLength(48);
    expectEveryWriteInOrder(client.changes, writes);
    expect(p.evaluators.every((replica) => replica.evaluator.owned().length > 0)).toBe(true);
  });

  it("killing an evaluator mid-stream loses nothing; repeats are dropped by seq", async () => {
    await using p = await startPipeline({ evaluators: 2, bus: { partitions: 4 } });
    for (const name of COLLECTIONS) await p.collection(open(name));
    const client = await subscribeAll(p, COLLECTIONS);
    const writes = await writeMany(p, COLLECTIONS, 2, 8, () => p.evaluators[0]!.kill());
    await eventually(() => expect(deduplicated(client.changes)).toHaveLength(72), 30_000);
    expectEveryWriteInOrder(client.changes, writes);
  });

  it("NATS stopped: writes still succeed; the events arrive once it is back", async () => {
    await using nats = await startNatsServer();
    await using p = await startPipeline({
      natsUrl: nats.url,
      bus: { publishTimeoutMs: 1_000, apiTimeoutMs: 1_000, connection: { reconnectTimeWait: 100 } },
    });
    await p.collection(open("c_alpha"));
    const client = await subscribeAll(p, ["c_alpha"]);
    await p.call("POST", "/api/collections/c_alpha/records", { body: { n: 1 } });
    await settle(client, 1);
    await nats.stop();
    for (let n = 2; n <= 4; n += 1) {
      expect(
        (await p.call("POST", "/api/collections/c_alpha/records", { body: { n } })).status,
      ).toBe(201);
    }
    await nats.start();
    await eventually(
      () => expect(client.changes.map((c) => c.record.n)).toEqual([1, 2, 3, 4]),
      30_000,
    );
  });

  it("Redis down: events wait in the stream and arrive once Redis is back", async () => {
    await using redis = await startRedisServer();
    await using p = await startPipeline({ redisUrl: redis.url });
    await p.collection(open("c_alpha"));
    const client = await subscribeAll(p, ["c_alpha"]);
    await p.call("POST", "/api/collections/c_alpha/records", { body: { n: 1 } });
    await settle(client, 1);
    await redis.stop();
    await p.call("POST", "/api/collections/c_alpha/records", { body: { n: 2 } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.start();
    // The gateway's adapter resubscribes its rooms on reconnect; the evaluator retries the batch.
    await eventually(
      () => expect(deduplicated(client.changes).map((c) => c.record.n)).toEqual([1, 2]),
      30_000,
    );
  });

  it("a malformed event is parked on the dead-letter subject and the partition goes on", async () => {
    await using p = await startPipeline();
    await p.collection(open("c_alpha"));
    const client = await subscribeAll(p, ["c_alpha"]);
    const bus: Bus = p.evaluators[0]!.bus;
    const collectionId = (await p.db.prisma.collection.findFirstOrThrow()).id;
    await bus.publish(bus.subjects.eventFor(collectionId), new TextEncoder().encode("{not json"));
    await p.call("POST", "/api/collections/c_alpha/records", { body: { n: 7 } });
    await eventually(() => expect(client.changes.map((c) => c.record.n)).toEqual([7]), 30_000);
    await eventually(async () => expect((await bus.info("dlq")).messages).toBe(1), 10_000);
  });
});
