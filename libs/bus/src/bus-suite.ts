import { describe, expect, it } from "vitest";
import {
  collections,
  decode,
  encode,
  eventually,
  recordingLogger,
  setUpTracing,
  sleep,
} from "./bus-suite-support.ts";
import type { BusConfig } from "./config.ts";
import { DLQ_HEADERS } from "./dead-letter.ts";
import { ExpectationFailedError, MessageFailedError, UnknownSubjectError } from "./errors.ts";
import { busNames, partitionOf } from "./naming.ts";
import type { Bus, BusLogger, BusMessage, ConsumeOptions } from "./types.ts";

/** Buses for one test, all on the same server and prefix, like replicas of one deployment. */
export interface BusHarness extends AsyncDisposable {
  /** The subject prefix every bus of the test shares. */
  readonly prefix: string;
  /** A started bus with a connection of its own. */
  bus(config?: Partial<BusConfig>, logger?: BusLogger): Promise<Bus>;
  /** Deletes a consumer behind the buses' backs, as an operator or a server losing state would. */
  deleteConsumer(stream: string, consumer: string): Promise<void>;
}

const FAST: ConsumeOptions = { batchSize: 8, ackWaitMs: 2_000, pollMs: 1_000, heartbeatMs: 200 };

/** The behaviour both implementations must share; each test file runs it with its harness. */
export function describeBusBehaviour(name: string, harness: () => Promise<BusHarness>): void {
  describe(name, () => {
    it("publish - stores a msgId once and answers a re-publish as a duplicate of the original", async () => {
      await using h = await harness();
      const bus = await h.bus();
      const other = await h.bus();
      const subject = bus.subjects.eventFor("posts");
      const first = await bus.publish(subject, encode({ c: "posts", n: 1 }), { msgId: "m-1" });
      const again = await other.publish(subject, encode({ c: "posts", n: 2 }), { msgId: "m-1" });
      const next = await bus.publish(subject, encode({ c: "posts", n: 3 }), { msgId: "m-2" });
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ ...first, duplicate: true });
      expect(next.seq).toBe(first.seq + 1);
      const stored = await bus.read(subject, 1);
      expect(stored.map((record) => decode(record.data).n)).toEqual([1, 3]);
      expect(stored.map((record) => record.msgId)).toEqual(["m-1", "m-2"]);
    });

    it("publish - a chained publish is stored only right after the message it names", async () => {
      await using h = await harness();
      const bus = await h.bus();
      const posts = bus.subjects.eventFor("posts");
      const tags = bus.subjects.eventFor("tags");
      await bus.publish(posts, encode(1), { msgId: "c-1" });
      await bus.publish(tags, encode(2), { msgId: "c-2", expectLastMsgId: "c-1" });
      // A gap in the chain (c-3 never stored) is refused, so c-4 cannot overtake it.
      await expect(
        bus.publish(posts, encode(4), { msgId: "c-4", expectLastMsgId: "c-3" }),
      ).rejects.toBeInstanceOf(ExpectationFailedError);
      const again = await bus.publish(tags, encode(2), { msgId: "c-2", expectLastMsgId: "c-1" });
      expect(again.duplicate).toBe(true);
      await bus.publish(posts, encode(3), { msgId: "c-3", expectLastMsgId: "c-2" });
      const stored = await bus.read(bus.subjects.events, 1);
      expect(stored.map((record) => record.msgId)).toEqual(["c-1", "c-2", "c-3"]);
    });

    it("publish - refuses a subject outside the bus's streams", async () => {
      await using h = await harness();
      const bus = await h.bus();
      await expect(bus.publish("elsewhere.events.1", encode(1))).rejects.toBeInstanceOf(
        UnknownSubjectError,
      );
    });

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

    it("trace - the consumer's span joins the publisher's trace", async () => {
      const { exporter, provider } = setUpTracing();
      exporter.reset();
      const tracer = provider.getTracer("bus-test");
      await using h = await harness();
      const bus = await h.bus({ partitions: 1 });
      const received: BusMessage[] = [];
      const consumer = bus.consumePartitions(FAST, async (batch) => {
        for (const message of batch) {
          tracer.startSpan("evaluate", {}, message.context).end();
          received.push(message);
        }
      });
      await consumer.start();
      await tracer.startActiveSpan("relay", async (span) => {
        await bus.publish(bus.subjects.event(0), encode({ c: "posts", n: 1 }));
        span.end();
      });
      await eventually(() => expect(received).toHaveLength(1));
      const spans = exporter.getFinishedSpans();
      const relay = spans.find((span) => span.name === "relay")!;
      const evaluate = spans.find((span) => span.name === "evaluate")!;
      expect(received[0]!.headers.traceparent).toContain(relay.spanContext().traceId);
      expect(evaluate.spanContext().traceId).toBe(relay.spanContext().traceId);
      expect(evaluate.parentSpanContext?.spanId).toBe(relay.spanContext().spanId);
      await consumer.stop();
    });

    it("tail - every replica reads the whole subs stream, and sync() waits for the last delta", async () => {
      await using h = await harness();
      const [a, b] = await Promise.all([h.bus(), h.bus()]);
      const publishDelta = (n: number) => a.publish(a.subjects.subs, encode({ c: "subs", n }));
      for (let n = 0; n < 3; n++) await publishDelta(n);
      const seenA: number[] = [];
      const seenB: number[] = [];
      const ta = a.tail("subs", 1, (record) => {
        seenA.push(decode(record.data).n);
      });
      const tb = b.tail("subs", 1, async (record) => {
        await sleep(20);
        seenB.push(decode(record.data).n);
      });
      await Promise.all([ta.start(), tb.start()]);
      for (let n = 3; n < 5; n++) await publishDelta(n);
      expect(await tb.sync(5_000)).toBe(5);
      expect(seenB).toEqual([0, 1, 2, 3, 4]);
      expect(await ta.sync(5_000)).toBe(5);
      expect(seenA).toEqual([0, 1, 2, 3, 4]);
      const late: number[] = [];
      const tc = b.tail("subs", 4, (record) => {
        late.push(decode(record.data).n);
      });
      await tc.start();
      await tc.sync(5_000);
      expect(late).toEqual([3, 4]);
      expect(tc.position()).toBe(5);
      await expect(tc.waitFor(6, 50)).rejects.toThrow(/not 6/);
      await Promise.all([ta.stop(), tb.stop(), tc.stop()]);
    });

    it("read - replays one subject from a sequence, bounded by toSeq and limit", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 4 });
      const [x, y] = collections(2, 4) as [string, string];
      const seqs: number[] = [];
      for (let n = 0; n < 10; n++) {
        const c = n % 2 === 0 ? x : y;
        const ack = await bus.publish(bus.subjects.eventFor(c), encode({ c, n }));
        if (c === x) seqs.push(ack.seq);
      }
      const subject = bus.subjects.eventFor(x);
      const ns = (records: Array<{ data: Uint8Array }>) =>
        records.map((record) => decode(record.data).n);
      expect(ns(await bus.read(subject, 1))).toEqual([0, 2, 4, 6, 8]);
      expect(ns(await bus.read(subject, seqs[2]!))).toEqual([4, 6, 8]);
      expect(ns(await bus.read(subject, 1, { toSeq: seqs[2]! }))).toEqual([0, 2, 4]);
      expect(ns(await bus.read(subject, 1, { limit: 2 }))).toEqual([0, 2]);
      expect(await bus.read(subject, seqs[4]! + 1)).toEqual([]);
      expect(ns(await bus.read(bus.subjects.events, 1))).toEqual([...Array(10).keys()]);
    });

    it("retention - trims the oldest events past the limit, and firstSeq tells what is left", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 1, retention: { events: { maxMsgs: 5 } } });
      expect(await bus.firstSeq("events")).toBe(1);
      for (let n = 0; n < 8; n++)
        await bus.publish(bus.subjects.event(0), encode({ c: "posts", n }));
      const info = await bus.info("events");
      expect(info).toMatchObject({ firstSeq: 4, lastSeq: 8, messages: 5, maxMsgs: 5 });
      expect((await bus.read(bus.subjects.event(0), 1)).map((record) => record.seq)).toEqual([
        4, 5, 6, 7, 8,
      ]);
    });

    it("start - creates streams once when replicas start together and applies a changed retention", async () => {
      await using h = await harness();
      const hour = 3_600_000;
      const retention = { events: { maxAgeMs: hour, maxBytes: 1_000_000 } };
      const [a] = await Promise.all([h.bus({ retention }), h.bus({ retention })]);
      expect(await a!.info("events")).toMatchObject({ maxAgeMs: hour, maxBytes: 1_000_000 });
      const c = await h.bus({ retention: { events: { maxAgeMs: 2 * hour } } });
      expect(await c.info("events")).toMatchObject({ maxAgeMs: 2 * hour, maxBytes: 1024 ** 3 });
    });
  });
}
