import { describe, expect, it } from "vitest";
import { describeDeadLetterBehaviour } from "./bus-dead-letter-suite.ts";
import { describePartitionBehaviour } from "./bus-partition-suite.ts";
import {
  type BusHarness,
  collections,
  decode,
  encode,
  eventually,
  FAST,
  setUpTracing,
  sleep,
} from "./bus-suite-support.ts";
import { ExpectationFailedError, UnknownSubjectError } from "./errors.ts";
import type { BusMessage } from "./types.ts";

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

    it("notify - reaches every replica listening on the topic, and only on that topic", async () => {
      await using h = await harness();
      const sender = await h.bus();
      const replica = await h.bus();
      const heard: string[] = [];
      const stop = replica.onNotice("collections", (data) => heard.push(decode<string>(data)));
      replica.onNotice("users", (data) => heard.push(`users:${decode<string>(data)}`));
      await sleep(50);
      sender.notify("collections", encode("c1"));
      await eventually(() => expect(heard).toEqual(["c1"]));
      stop();
      sender.notify("collections", encode("c2"));
      sender.notify("users", encode("u1"));
      await eventually(() => expect(heard).toEqual(["c1", "users:u1"]));
      expect(() => sender.notify("bad.topic", encode("x"))).toThrow(/notice topic/);
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

    describePartitionBehaviour(harness);

    describeDeadLetterBehaviour(harness);

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
