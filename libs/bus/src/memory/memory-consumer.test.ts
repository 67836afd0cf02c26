import { describe, expect, it } from "vitest";
import { sleep } from "../bus-suite-support.ts";
import type { Delivery } from "../transport.ts";
import { MemoryConsumer } from "./memory-consumer.ts";
import { MemoryStream } from "./memory-stream.ts";

function setUp(maxAckPending: number, ackWaitMs = 10_000) {
  const stream = new MemoryStream(
    {
      name: "S",
      subjects: ["s.>"],
      maxAgeMs: 0,
      maxBytes: -1,
      maxMsgs: -1,
      maxMsgsPerSubject: -1,
      duplicateWindowMs: 1_000,
      replicas: 1,
    },
    Date.now,
  );
  const consumer = new MemoryConsumer(
    { stream: "S", name: "c", filterSubject: "s.a", ackWaitMs, maxAckPending },
    stream,
  );
  const client = { closed: false };
  const pull = async (max: number, expiresMs = 30) => {
    const got: Delivery[] = [];
    await consumer.pull(client, { max, expiresMs, signal: new AbortController().signal }, (d) =>
      got.push(d),
    );
    return got;
  };
  return { stream, consumer, client, pull };
}

describe("MemoryConsumer (JetStream pull consumer semantics)", () => {
  it("delivers no new message while maxAckPending are unacknowledged", async () => {
    const { stream, pull } = setUp(2);
    for (let i = 0; i < 3; i++) stream.append("s.a", new Uint8Array(), {});
    const first = await pull(5);
    expect(first.map((d) => d.seq)).toEqual([1, 2]);
    expect(await pull(5)).toEqual([]);
    first[0]!.ack();
    expect((await pull(5)).map((d) => d.seq)).toEqual([3]);
  });

  it("redelivers a nak after its delay, oldest first, with a growing delivery count", async () => {
    const { stream, pull } = setUp(10);
    for (let i = 0; i < 2; i++) stream.append("s.a", new Uint8Array(), {});
    const [one, two] = await pull(2);
    two!.nak(20);
    one!.nak(40);
    expect(await pull(5, 10)).toEqual([]);
    await sleep(60);
    const again = await pull(5);
    expect(again.map((d) => [d.seq, d.deliveryCount])).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it("redelivers after the ack wait unless working() resets it", async () => {
    // An ack wait ten times the keep-alive interval: a timer late by a loaded machine's stall
    // must not count as a missed keep-alive.
    const { stream, pull } = setUp(10, 200);
    stream.append("s.a", new Uint8Array(), {});
    stream.append("s.a", new Uint8Array(), {});
    const [kept] = await pull(2);
    const keepalive = setInterval(() => kept!.working(), 20);
    await sleep(350);
    expect((await pull(5, 10)).map((d) => d.seq)).toEqual([2]);
    clearInterval(keepalive);
  });

  it("ignores acknowledgements from a closed client, as from a dead process", async () => {
    const { stream, client, consumer, pull } = setUp(10);
    stream.append("s.a", new Uint8Array(), {});
    const [delivery] = await pull(1);
    client.closed = true;
    delivery!.ack();
    expect(consumer.state().numAckPending).toBe(1);
  });
});
