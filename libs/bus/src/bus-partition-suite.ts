import { describe, expect, it } from "vitest";
import type { BusHarness } from "./bus-suite-support.ts";
import {
  collections,
  decode,
  encode,
  eventually,
  FAST,
  recordingLogger,
  sleep,
} from "./bus-suite-support.ts";
import { DLQ_HEADERS } from "./dead-letter.ts";
import { MessageFailedError } from "./errors.ts";
import { busNames, partitionOf } from "./naming.ts";
import type { BusMessage } from "./types.ts";

/**
 * How replicas share the partitions: each message handled once and in order per partition, across
 * deaths, stops, lost consumers and failing messages. Part of {@link describeBusBehaviour}.
 */
export function describePartitionBehaviour(harness: () => Promise<BusHarness>): void {
  describe("partitions", () => {
    it("partitions - two replicas share the partitions and handle every message once, in order", async () => {
      await using h = await harness();
      const config = { partitions: 4 };
      const [a, b] = await Promise.all([h.bus(config), h.bus(config)]);
      const handled: Array<{
        replica: string;
        partition: number;
        seq: number;
        c: string;
        n: number;
      }> = [];
      const handler = (replica: string) => async (batch: BusMessage[], partition: number) => {
        for (const message of batch)
          handled.push({
            ...decode<{ c: string; n: number }>(message.data),
            replica,
            partition,
            seq: message.seq,
          });
        await sleep(Math.random() * 3);
      };
      const ca = a.consumePartitions(FAST, handler("a"));
      const cb = b.consumePartitions(FAST, handler("b"));
      await Promise.all([ca.start(), cb.start()]);
      await eventually(() => expect([ca.owned().length, cb.owned().length]).toEqual([2, 2]));
      const names = collections(12, 4);
      for (let n = 0; n < 15; n++) {
        for (const c of names)
          await a.publish(a.subjects.eventFor(c), encode({ c, n }), { msgId: `${c}-${n}` });
      }
      await eventually(() => expect(handled.length).toBe(180));
      await sleep(100);
      expect(handled.length).toBe(180);
      for (const c of names) {
        expect(handled.filter((entry) => entry.c === c).map((entry) => entry.n)).toEqual([
          ...Array(15).keys(),
        ]);
      }
      for (let partition = 0; partition < 4; partition++) {
        const seqs = handled
          .filter((entry) => entry.partition === partition)
          .map((entry) => entry.seq);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      }
      expect(new Set(handled.map((entry) => entry.replica))).toEqual(new Set(["a", "b"]));
      await Promise.all([ca.stop(), cb.stop()]);
    });

    it("partitions - a replica that dies mid-batch leaves the batch to another, handled first and in order", async () => {
      await using h = await harness();
      const options = {
        batchSize: 10,
        ackWaitMs: 400,
        leaseMs: 700,
        pollMs: 1_000,
        heartbeatMs: 100,
      };
      const a = await h.bus({ partitions: 1 });
      const seenByA: number[] = [];
      const ca = a.consumePartitions(options, async (batch) => {
        seenByA.push(...batch.map((message) => decode(message.data).n));
        await new Promise(() => {});
      });
      await ca.start();
      for (let n = 0; n < 5; n++)
        await a.publish(a.subjects.eventFor("posts"), encode({ c: "posts", n }));
      await eventually(() => expect(seenByA.length).toBeGreaterThan(0));

      const b = await h.bus({ partitions: 1 });
      const seenByB: number[] = [];
      const cb = b.consumePartitions(options, async (batch) => {
        seenByB.push(...batch.map((message) => decode(message.data).n));
      });
      await cb.start();
      await a.abort();
      for (let n = 5; n < 10; n++)
        await b.publish(b.subjects.eventFor("posts"), encode({ c: "posts", n }));
      await eventually(() => expect(seenByB).toEqual([...Array(10).keys()]), 15_000);
      await cb.stop();
    });

    it("partitions - messages a dead replica was retrying still go first after a take-over", async () => {
      await using h = await harness();
      const options = {
        batchSize: 10,
        ackWaitMs: 500,
        leaseMs: 800,
        pollMs: 1_000,
        heartbeatMs: 100,
      };
      const a = await h.bus({ partitions: 1 });
      for (let n = 0; n < 3; n++) await a.publish(a.subjects.event(0), encode({ c: "posts", n }));
      let failed = false;
      const ca = a.consumePartitions({ ...options, backoff: [1_200] }, async () => {
        failed = true;
        throw new Error("fails once, then the replica dies");
      });
      await ca.start();
      await eventually(() => expect(failed).toBe(true));
      await sleep(20);
      await a.abort();
      const b = await h.bus({ partitions: 1 });
      const seen: number[] = [];
      const cb = b.consumePartitions(options, async (batch) => {
        seen.push(...batch.map((message) => decode(message.data).n));
      });
      await cb.start();
      await eventually(() => expect(cb.owned()).toEqual([0]));
      for (let n = 3; n < 5; n++) await b.publish(b.subjects.event(0), encode({ c: "posts", n }));
      await eventually(() => expect(seen).toEqual([0, 1, 2, 3, 4]), 10_000);
      await cb.stop();
    });

    it("partitions - killing a replica mid-stream loses nothing and reorders nothing", async () => {
      await using h = await harness();
      const options = {
        batchSize: 5,
        ackWaitMs: 400,
        leaseMs: 700,
        pollMs: 1_000,
        heartbeatMs: 100,
      };
      const [a, b] = await Promise.all([h.bus({ partitions: 2 }), h.bus({ partitions: 2 })]);
      const log: Array<{ partition: number; seq: number }> = [];
      const handler = async (batch: BusMessage[], partition: number) => {
        for (const message of batch) log.push({ partition, seq: message.seq });
        await sleep(2);
      };
      const ca = a.consumePartitions(options, handler);
      const cb = b.consumePartitions(options, handler);
      await Promise.all([ca.start(), cb.start()]);
      await eventually(() => expect([ca.owned().length, cb.owned().length]).toEqual([1, 1]));
      const names = collections(6, 2);
      const published = new Map<number, number[]>([
        [0, []],
        [1, []],
      ]);
      for (let n = 0; n < 150; n++) {
        const c = names[n % names.length]!;
        const ack = await b.publish(b.subjects.eventFor(c), encode({ c, n }));
        published.get(partitionOf(c, 2))!.push(ack.seq);
        if (n === 50) await a.abort();
        if (n % 10 === 0) await sleep(2);
      }
      for (const [partition, seqs] of published) {
        // What a client de-duplicating by seq keeps: first handlings, which must rise.
        const firsts: number[] = [];
        await eventually(() => {
          firsts.length = 0;
          for (const entry of log) {
            if (entry.partition === partition && entry.seq > (firsts.at(-1) ?? 0))
              firsts.push(entry.seq);
          }
          expect(firsts).toEqual(seqs);
        }, 15_000);
      }
      await cb.stop();
    });

    it("partitions - a replica that stops hands its partitions over at once", async () => {
      await using h = await harness();
      const options = { ...FAST, ackWaitMs: 20_000, leaseMs: 30_000 };
      const [a, b] = await Promise.all([h.bus({ partitions: 2 }), h.bus({ partitions: 2 })]);
      const handled: Array<[string, number]> = [];
      const handler = (replica: string) => async (batch: BusMessage[]) => {
        for (const message of batch) handled.push([replica, decode(message.data).n]);
      };
      const ca = a.consumePartitions(options, handler("a"));
      const cb = b.consumePartitions(options, handler("b"));
      await Promise.all([ca.start(), cb.start()]);
      await eventually(() => expect([ca.owned().length, cb.owned().length]).toEqual([1, 1]));
      const [x, y] = collections(2, 2) as [string, string];
      for (let n = 0; n < 4; n++)
        await a.publish(a.subjects.eventFor(n % 2 ? x : y), encode({ c: "c", n }));
      await eventually(() => expect(handled).toHaveLength(4));
      const started = Date.now();
      await ca.stop();
      await eventually(() => expect(cb.owned()).toEqual([0, 1]), 5_000);
      expect(Date.now() - started).toBeLessThan(5_000);
      for (let n = 4; n < 8; n++)
        await b.publish(b.subjects.eventFor(n % 2 ? x : y), encode({ c: "c", n }));
      await eventually(() => expect(handled).toHaveLength(8));
      expect(handled.slice(4).every(([replica]) => replica === "b")).toBe(true);
      await cb.stop();
    });

    it("partitions - a lost consumer is recreated and the partition goes on without replaying", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 1 });
      const handled: number[] = [];
      const consumer = bus.consumePartitions(FAST, async (batch) => {
        handled.push(...batch.map((message) => decode(message.data).n));
      });
      await consumer.start();
      for (let n = 0; n < 3; n++)
        await bus.publish(bus.subjects.event(0), encode({ c: "posts", n }));
      await eventually(() => expect(handled).toEqual([0, 1, 2]));
      const names = busNames(h.prefix, 1);
      await h.deleteConsumer(names.streams.events, names.eventConsumer("evaluator", 0));
      for (let n = 3; n < 6; n++)
        await bus.publish(bus.subjects.event(0), encode({ c: "posts", n }));
      await eventually(() => expect(handled).toEqual([0, 1, 2, 3, 4, 5]));
      await consumer.stop();
    });

    it("partitions - a failing message is retried with growing delays, then parked, and the partition goes on", async () => {
      await using h = await harness();
      const logger = recordingLogger();
      const bus = await h.bus({ partitions: 2 }, logger);
      const subject = bus.subjects.eventFor("posts");
      for (let n = 0; n < 3; n++)
        await bus.publish(subject, encode({ c: "posts", n }), { msgId: `p-${n}` });
      const attempts: number[] = [];
      const handled: number[] = [];
      const consumer = bus.consumePartitions(
        { ...FAST, maxDeliver: 3, backoff: [150, 450] },
        async (batch) => {
          const ns = batch.map((message) => decode(message.data).n);
          if (ns.includes(1)) {
            attempts.push(Date.now());
            throw new Error("cannot evaluate n=1");
          }
          handled.push(...ns);
        },
      );
      await consumer.start();
      // Published while 1 and 2 wait for their redelivery: it must still come after them.
      await eventually(() => expect(attempts.length).toBeGreaterThan(0));
      await bus.publish(subject, encode({ c: "posts", n: 3 }));
      await eventually(() => expect(handled).toEqual([0, 2, 3]));
      expect(attempts).toHaveLength(3);
      const [t1, t2, t3] = attempts as [number, number, number];
      expect(t2 - t1).toBeGreaterThanOrEqual(140);
      expect(t3 - t2).toBeGreaterThan(t2 - t1);

      const partition = partitionOf("posts", 2);
      const [parked, ...more] = await bus.read(bus.subjects.dlq(partition), 1);
      expect(more).toEqual([]);
      expect(decode(parked!.data).n).toBe(1);
      expect(parked!.headers[DLQ_HEADERS.reason]).toContain("cannot evaluate n=1");
      expect(parked!.headers[DLQ_HEADERS.deliveries]).toBe("3");
      expect(parked!.headers[DLQ_HEADERS.msgId]).toBe("p-1");
      expect(
        logger.lines.filter((line) => line.level === "error").map((line) => line.message),
      ).toEqual(["bus: message parked on the dead-letter subject"]);
      await consumer.stop();
    });

    it("partitions - a retryable failure holds the batch and never parks it", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 1 });
      for (let n = 0; n < 3; n++)
        await bus.publish(bus.subjects.event(0), encode({ c: "posts", n }));
      let failures = 0;
      const handled: number[] = [];
      const consumer = bus.consumePartitions(
        { ...FAST, maxDeliver: 2, backoff: [10, 30] },
        async (batch) => {
          if (failures++ < 5) throw Object.assign(new Error("redis down"), { retryable: true });
          handled.push(...batch.map((message) => decode(message.data).n));
        },
      );
      await consumer.start();
      await eventually(() => expect(handled).toEqual([0, 1, 2]));
      expect(await bus.lastSeq("dlq")).toBe(0);
      await consumer.stop();
    });

    it("partitions - MessageFailedError acknowledges the messages before the failed one", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 1 });
      for (let n = 0; n < 3; n++)
        await bus.publish(bus.subjects.event(0), encode({ c: "posts", n }));
      const calls: number[][] = [];
      let failed = false;
      const consumer = bus.consumePartitions({ ...FAST, backoff: [20] }, async (batch) => {
        const ns = batch.map((message) => decode(message.data).n);
        calls.push(ns);
        if (!failed && ns.includes(1)) {
          failed = true;
          throw new MessageFailedError(ns.indexOf(1), { cause: new Error("boom") });
        }
      });
      await consumer.start();
      await eventually(() => expect(calls.at(-1)?.at(-1)).toBe(2));
      await sleep(100);
      const all = calls.flat();
      expect(all.filter((n) => n === 0)).toHaveLength(1);
      expect(all.filter((n) => n === 1)).toHaveLength(2);
      expect(all.slice(all.lastIndexOf(1))).toEqual([1, 2]);
      await consumer.stop();
    });
  });
}
