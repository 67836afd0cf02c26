import { describe, expect, it } from "vitest";
import { createTransportBus } from "./bus.ts";
import { parkDirectly } from "./bus-dead-letter-suite.ts";
import { MemoryBroker } from "./memory/memory-broker.ts";
import { MemoryTransport } from "./memory/memory-transport.ts";
import type { StoredMessage, TransportPublishOptions } from "./transport.ts";
import type { Bus } from "./types.ts";

/** A memory transport that counts the messages its reads return, and can act between steps. */
class WatchedTransport extends MemoryTransport {
  /** Messages returned by `read()` since the last reset. */
  readMessages = 0;
  reads = 0;
  /** Runs after each publish has been stored, before it is answered. */
  afterPublish: (subject: string) => Promise<void> = async () => {};

  override async read(
    stream: string,
    subject: string,
    fromSeq: number,
    limit: number,
  ): Promise<StoredMessage[]> {
    const messages = await super.read(stream, subject, fromSeq, limit);
    this.reads++;
    this.readMessages += messages.length;
    return messages;
  }

  override async publish(subject: string, data: Uint8Array, options: TransportPublishOptions) {
    const ack = await super.publish(subject, data, options);
    await this.afterPublish(subject);
    return ack;
  }

  reset(): void {
    this.reads = 0;
    this.readMessages = 0;
  }
}

async function watchedBus(): Promise<{ bus: Bus; transport: WatchedTransport } & AsyncDisposable> {
  const transport = new WatchedTransport(new MemoryBroker());
  const bus = createTransportBus(transport, { prefix: "dl", partitions: 1 });
  await bus.start();
  return { bus, transport, [Symbol.asyncDispose]: () => bus.stop() };
}

describe("dead letters (reads)", () => {
  it("list - answers an offset at or past the count without reading a message", async () => {
    await using h = await watchedBus();
    await parkDirectly(h.bus, 3);
    h.transport.reset();
    expect(await h.bus.deadLetters.list(3, 100)).toEqual([]);
    expect(await h.bus.deadLetters.list(1_000_000, 100)).toEqual([]);
    expect(h.transport.reads).toBe(0);
  });

  it("list - without gaps, reads only the page, from a start computed from the first sequence", async () => {
    await using h = await watchedBus();
    const seqs = await parkDirectly(h.bus, 400);
    // Dropping the oldest moves the first sequence and leaves no gap.
    for (const seq of seqs.slice(0, 10)) await h.bus.deadLetters.drop(seq);
    h.transport.reset();
    const page = await h.bus.deadLetters.list(300, 20);
    expect(page.map((parked) => parked.seq)).toEqual(seqs.slice(310, 330));
    expect(h.transport.readMessages).toBe(20);
    expect(h.transport.reads).toBe(1);
  });

  it("list - with gaps, reads from the shorter side of the offset", async () => {
    await using h = await watchedBus();
    const seqs = await parkDirectly(h.bus, 1_000);
    const gone = new Set([500, 999]);
    for (const index of gone) await h.bus.deadLetters.drop(seqs[index]!);
    const held = seqs.filter((_, index) => !gone.has(index));

    // Near the end: the messages after the offset are read, not the 900 before it.
    h.transport.reset();
    expect((await h.bus.deadLetters.list(900, 30)).map((p) => p.seq)).toEqual(held.slice(900, 930));
    expect(h.transport.readMessages).toBeLessThanOrEqual(1_000 - 900 + 2 + 30);

    // Near the front: the 100 before it are counted, none after.
    h.transport.reset();
    expect((await h.bus.deadLetters.list(100, 30)).map((p) => p.seq)).toEqual(held.slice(100, 130));
    expect(h.transport.readMessages).toBe(100 + 30);
  });

  it("list - with gaps, stops counting from the front once every gap is passed", async () => {
    await using h = await watchedBus();
    const seqs = await parkDirectly(h.bus, 1_000);
    await h.bus.deadLetters.drop(seqs[5]!);
    await h.bus.deadLetters.drop(seqs[50]!);
    const held = seqs.filter((_, index) => index !== 5 && index !== 50);
    h.transport.reset();
    expect((await h.bus.deadLetters.list(400, 10)).map((p) => p.seq)).toEqual(held.slice(400, 410));
    // One chunk of 100 passes both gaps; the remaining 300 are computed.
    expect(h.transport.readMessages).toBe(100 + 10);
  });
});

describe("dead letters (retry races)", () => {
  it("retry - a drop that lands between the republish and the delete leaves the event republished once, and the retry answers its ack", async () => {
    await using h = await watchedBus();
    const [seq] = (await parkDirectly(h.bus, 1)) as [number];
    let dropped: boolean | undefined;
    h.transport.afterPublish = async (subject) => {
      if (subject === h.bus.subjects.event(0)) dropped = await h.bus.deadLetters.drop(seq);
    };
    const ack = await h.bus.deadLetters.retry(seq);
    expect(dropped).toBe(true);
    expect(ack).toMatchObject({ seq: 1, duplicate: false });
    expect(await h.bus.lastSeq("events")).toBe(1);
    expect(await h.bus.deadLetters.count()).toBe(0);
  });

  it("retry - a retry repeated after a failed delete is stored once and answered as a duplicate", async () => {
    await using h = await watchedBus();
    const [seq] = (await parkDirectly(h.bus, 1)) as [number];
    const deleteMessage = h.transport.deleteMessage.bind(h.transport);
    h.transport.deleteMessage = async () => {
      throw new Error("lost the connection");
    };
    await expect(h.bus.deadLetters.retry(seq)).rejects.toThrow("lost the connection");
    h.transport.deleteMessage = deleteMessage;
    expect(await h.bus.deadLetters.retry(seq)).toMatchObject({ seq: 1, duplicate: true });
    expect(await h.bus.lastSeq("events")).toBe(1);
    expect(await h.bus.deadLetters.count()).toBe(0);
  });
});
