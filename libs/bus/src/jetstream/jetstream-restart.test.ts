import { startNatsServer } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { decode, encode, eventually, sleep } from "../bus-suite-support.ts";
import { BusUnavailableError, isRetryable } from "../errors.ts";
import type { Bus } from "../types.ts";
import { createJetStreamBus } from "./jetstream-bus.ts";

/** Publishes like the outbox relay: the same msgId until the stream has stored it. */
async function publishUntilStored(bus: Bus, subject: string, n: number): Promise<void> {
  for (;;) {
    try {
      await bus.publish(subject, encode({ c: "posts", n }), { msgId: `posts-${n}` });
      return;
    } catch (error) {
      if (!isRetryable(error)) throw error;
      await sleep(100);
    }
  }
}

describe("jetstream bus across a server restart", () => {
  it("restart - publishes fail with a retryable error while NATS is down; consumers and tails resume without loss", async () => {
    await using server = await startNatsServer();
    const config = {
      servers: server.url,
      prefix: "restart",
      partitions: 2,
      publishTimeoutMs: 1_000,
      apiTimeoutMs: 1_000,
      connection: { reconnectTimeWait: 100 },
    };
    const publisher = createJetStreamBus(config);
    const evaluator = createJetStreamBus(config);
    await Promise.all([publisher.start(), evaluator.start()]);
    const handled: number[] = [];
    const consumer = evaluator.consumePartitions(
      { batchSize: 8, ackWaitMs: 2_000, pollMs: 1_000, heartbeatMs: 200 },
      async (batch) => {
        handled.push(...batch.map((message) => decode(message.data).n));
      },
    );
    await consumer.start();
    const deltas: number[] = [];
    const tail = evaluator.tail("subs", 1, (record) => {
      deltas.push(decode(record.data).n);
    });
    await tail.start();
    await publisher.publish(publisher.subjects.subs, encode({ c: "subs", n: 0 }));
    const subject = publisher.subjects.eventFor("posts");
    for (let n = 0; n < 5; n++) await publishUntilStored(publisher, subject, n);
    await eventually(() => expect(handled).toEqual([0, 1, 2, 3, 4]));

    await server.stop();
    const failure = await publisher
      .publish(subject, encode({ c: "posts", n: 5 }))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BusUnavailableError);
    expect(isRetryable(failure)).toBe(true);
    expect(String(failure)).toMatch(/bus unavailable during publish/);

    const relay = (async () => {
      for (let n = 5; n < 10; n++) await publishUntilStored(publisher, subject, n);
    })();
    await sleep(300);
    await server.start();
    await relay;
    await publisher.publish(publisher.subjects.subs, encode({ c: "subs", n: 1 }));
    await eventually(() => expect(handled).toEqual([...Array(10).keys()]), 15_000);
    await eventually(() => tail.sync(1_000));
    expect(deltas).toEqual([0, 1]);
    await tail.stop();
    await consumer.stop();
    await Promise.all([publisher.stop(), evaluator.stop()]);
  });
});
