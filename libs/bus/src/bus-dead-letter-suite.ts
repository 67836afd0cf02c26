import { describe, expect, it } from "vitest";
import type { BusHarness } from "./bus-suite-support.ts";
import { collections, decode, encode, eventually, FAST } from "./bus-suite-support.ts";
import { DLQ_HEADERS } from "./dead-letter.ts";
import { MessageFailedError, UnknownSubjectError } from "./errors.ts";
import { partitionOf } from "./naming.ts";
import type { Bus, ParkedMessage } from "./types.ts";

/** What a test compares of a parked message (payload bytes come as Buffer or Uint8Array). */
const facts = ({ data, context: _context, ...rest }: ParkedMessage) => ({
  ...rest,
  n: decode(data).n,
});

/**
 * Parks every message whose `n` is in `poison` (one failed delivery is enough), handles the rest,
 * and returns what was handled; the consumer stops with the harness.
 */
async function parkSome(bus: Bus, poison: Set<number>): Promise<number[]> {
  const handled: number[] = [];
  const consumer = bus.consumePartitions(
    { ...FAST, maxDeliver: 1, backoff: [10] },
    async (batch) => {
      for (const [index, message] of batch.entries()) {
        const { n } = decode(message.data);
        if (poison.has(n)) throw new MessageFailedError(index, { cause: new Error(`bad n=${n}`) });
        handled.push(n);
      }
    },
  );
  await consumer.start();
  return handled;
}

/**
 * Stores `count` messages on partition 0's dead-letter subject as `parkMessage` would, each from
 * `subject` (no subject header when null); returns their sequences in the dead-letter stream.
 */
export async function parkDirectly(
  bus: Bus,
  count: number,
  subject: string | null = bus.subjects.event(0),
): Promise<number[]> {
  const seqs: number[] = [];
  for (let n = 0; n < count; n++) {
    const headers: Record<string, string> = {
      [DLQ_HEADERS.reason]: "Error: test",
      [DLQ_HEADERS.seq]: String(n + 1),
      [DLQ_HEADERS.deliveries]: "5",
    };
    if (subject !== null) headers[DLQ_HEADERS.subject] = subject;
    const ack = await bus.publish(bus.subjects.dlq(0), encode({ c: "posts", n }), { headers });
    seqs.push(ack.seq);
  }
  return seqs;
}

/**
 * The dead-letter stream as an operator sees it: parked messages listed, paged, retried and
 * dropped, the same on both transports. Part of {@link describeBusBehaviour}.
 */
export function describeDeadLetterBehaviour(harness: () => Promise<BusHarness>): void {
  describe("dead letters", () => {
    it("dead letters - lists parked messages oldest first with their headers' facts, paged by offset", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 2 });
      const [a, b] = collections(2, 2) as [string, string];
      const poison = new Set([1, 2, 4]);
      const seqs = new Map<number, number>();
      for (let n = 0; n < 6; n++) {
        const c = n % 2 === 0 ? a : b;
        const ack = await bus.publish(bus.subjects.eventFor(c), encode({ c, n }), {
          msgId: `m-${n}`,
        });
        seqs.set(n, ack.seq);
      }
      const handled = await parkSome(bus, poison);
      await eventually(() => expect(handled.sort()).toEqual([0, 3, 5]));
      await eventually(async () => expect(await bus.deadLetters.count()).toBe(3));

      const all = await bus.deadLetters.list(0, 10);
      // Parked per partition in order, so the stream interleaves them by when each failed.
      expect(all.map((parked) => decode(parked.data).n).sort()).toEqual([1, 2, 4]);
      expect(all.map((parked) => parked.seq)).toEqual([...all.map((p) => p.seq)].sort());
      const one = all.find((parked) => decode(parked.data).n === 1)!;
      expect(one).toMatchObject({
        partition: partitionOf(b, 2),
        subject: bus.subjects.dlq(partitionOf(b, 2)),
        originalSubject: bus.subjects.eventFor(b),
        originalSeq: seqs.get(1),
        originalMsgId: "m-1",
        deliveries: 1,
      });
      expect(one.reason).toContain("bad n=1");
      expect(one.time).toBeInstanceOf(Date);
      expect((await bus.deadLetters.list(1, 1)).map(facts)).toEqual([facts(all[1]!)]);
      expect(await bus.deadLetters.list(3, 10)).toEqual([]);
      expect(facts((await bus.deadLetters.get(one.seq))!)).toEqual(facts(one));
      expect(await bus.deadLetters.get(9_999)).toBeUndefined();
    });

    it("dead letters - a retry publishes the original again under a new msgId and removes it from the stream", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 1 });
      const subject = bus.subjects.event(0);
      for (let n = 0; n < 3; n++)
        await bus.publish(subject, encode({ c: "posts", n }), {
          msgId: `r-${n}`,
          headers: { "X-Origin": "relay" },
        });
      const poison = new Set([1]);
      const handled = await parkSome(bus, poison);
      await eventually(() => expect(handled).toEqual([0, 2]));
      await eventually(async () => expect(await bus.deadLetters.count()).toBe(1));
      const [parked] = await bus.deadLetters.list(0, 1);

      poison.clear();
      const ack = await bus.deadLetters.retry(parked!.seq);
      expect(ack).toMatchObject({ seq: 4, duplicate: false });
      // After every event published since: per-record order is the operator's call.
      await eventually(() => expect(handled).toEqual([0, 2, 1]));
      const [again] = await bus.read(subject, 4);
      expect(again!.headers["X-Origin"]).toBe("relay");
      expect(again!.msgId).not.toBe("r-1");
      expect(Object.keys(again!.headers).filter((key) => key.startsWith("Tidings-Dlq"))).toEqual(
        [],
      );
      expect(await bus.deadLetters.count()).toBe(0);
      expect(await bus.deadLetters.retry(parked!.seq)).toBeUndefined();
      expect(await bus.lastSeq("events")).toBe(4);
    });

    it("dead letters - a drop removes one message only; the stream's first and last sequences follow JetStream", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 1 });
      for (let n = 0; n < 4; n++)
        await bus.publish(bus.subjects.event(0), encode({ c: "posts", n }));
      const handled = await parkSome(bus, new Set([0, 1, 2, 3]));
      await eventually(async () => expect(await bus.deadLetters.count()).toBe(4));
      expect(handled).toEqual([]);
      const [first, second, third, fourth] = await bus.deadLetters.list(0, 10);

      expect(await bus.deadLetters.drop(second!.seq)).toBe(true);
      expect(await bus.deadLetters.drop(second!.seq)).toBe(false);
      expect(await bus.deadLetters.drop(9_999)).toBe(false);
      expect((await bus.deadLetters.list(0, 10)).map((p) => p.seq)).toEqual([
        first!.seq,
        third!.seq,
        fourth!.seq,
      ]);
      expect((await bus.deadLetters.list(1, 1)).map(facts)).toEqual([facts(third!)]);
      expect(await bus.deadLetters.get(second!.seq)).toBeUndefined();

      await bus.deadLetters.drop(first!.seq);
      await bus.deadLetters.drop(fourth!.seq);
      expect(await bus.info("dlq")).toMatchObject({
        firstSeq: third!.seq,
        lastSeq: fourth!.seq,
        messages: 1,
      });
      await bus.deadLetters.drop(third!.seq);
      expect(await bus.info("dlq")).toMatchObject({
        firstSeq: fourth!.seq + 1,
        lastSeq: fourth!.seq,
        messages: 0,
      });
    });

    it("dead letters - pages stay exact from either end once messages in the middle are gone", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 1 });
      const seqs = await parkDirectly(bus, 24);
      // Gaps near the front, in the middle and at the very end (the last sequence stays).
      for (const index of [0, 2, 3, 11, 17, 23]) await bus.deadLetters.drop(seqs[index]!);
      const held = seqs.filter((_, index) => ![0, 2, 3, 11, 17, 23].includes(index));
      expect(await bus.deadLetters.count()).toBe(held.length);
      for (const limit of [1, 5])
        for (let offset = 0; offset <= held.length + 1; offset++) {
          const page = await bus.deadLetters.list(offset, limit);
          expect(
            page.map((parked) => parked.seq),
            `offset ${offset}, limit ${limit}`,
          ).toEqual(held.slice(offset, offset + limit));
        }
    });

    it("dead letters - a retry refuses a message whose subject is missing or not an events subject, publishing nothing", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 2 });
      const events = bus.subjects.events.slice(0, -1);
      const subjects = [
        null,
        bus.subjects.subs,
        `${events}1.x`,
        events.slice(0, -1),
        `${events}01`,
      ];
      const parked: number[] = [];
      for (const subject of subjects) parked.push(...(await parkDirectly(bus, 1, subject)));
      for (const [index, seq] of parked.entries()) {
        const refusal = await bus.deadLetters.retry(seq).catch((error: unknown) => error);
        expect(refusal, String(subjects[index])).toBeInstanceOf(UnknownSubjectError);
        expect((refusal as UnknownSubjectError).subject).toBe(subjects[index] ?? "");
      }
      expect(await bus.lastSeq("events")).toBe(0);
      expect(await bus.deadLetters.count()).toBe(subjects.length);
    });

    it("dead letters - concurrent retries republish once and answer the same sequence; a retry after a drop publishes nothing", async () => {
      await using h = await harness();
      const bus = await h.bus({ partitions: 1 });
      const [first, second] = (await parkDirectly(bus, 2)) as [number, number];
      const [a, b] = await Promise.all([
        bus.deadLetters.retry(first),
        bus.deadLetters.retry(first),
      ]);
      // Either both published (the second answered as a duplicate) or one found it gone.
      const acks = [a, b].filter((ack) => ack !== undefined);
      expect(acks.length).toBeGreaterThan(0);
      expect(new Set(acks.map((ack) => ack.seq))).toEqual(new Set([1]));
      expect(await bus.lastSeq("events")).toBe(1);

      expect(await bus.deadLetters.drop(second)).toBe(true);
      expect(await bus.deadLetters.retry(second)).toBeUndefined();
      expect(await bus.lastSeq("events")).toBe(1);
      expect(await bus.deadLetters.count()).toBe(0);
    });
  });
}
