/**
 * History benchmark of the in-process bus (the single node's default): the CPU one change event
 * costs — published with a msgId and the relay's `expectLastMsgId` chain, then consumed by the
 * partition consumers and acknowledged — with a short history retained (the baseline) and with a
 * long one, in the same run. A bus whose cost grows with what it retains shows a ratio above 1.
 *
 *   npx tsx --conditions=@tidings/source libs/bus/bench/history.ts [--short 1000] [--long 1000000] [--events 20000]
 *                                    [--partitions 8] [--payload 600] [--json]
 */
import { PerformanceObserver } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createMemoryBus } from "../src/index.ts";
import type { Bus, BusMessage } from "../src/types.ts";

const { values: args } = parseArgs({
  options: {
    short: { type: "string", default: "1000" },
    long: { type: "string", default: "1000000" },
    events: { type: "string", default: "20000" },
    partitions: { type: "string", default: "8" },
    payload: { type: "string", default: "600" },
    json: { type: "boolean", default: false },
  },
});
const whole = (name: keyof typeof args) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number ≥ 1`);
  return value;
};
const SHORT = whole("short");
const LONG = whole("long");
const EVENTS = whole("events");
const PARTITIONS = whole("partitions");
const PAYLOAD = new Uint8Array(whole("payload")).fill(120);
// Two collections, as a single node with a per-user feed and a broadcast feed: most partitions
// see no events at all, which is the case a consumer must not pay for.
const COLLECTIONS = ["feed", "news"];

/** What one measured phase cost. */
interface Phase {
  retained: number;
  events: number;
  cpuUsPerEvent: number;
  wallUsPerEvent: number;
  /** Garbage collection pauses, per event: the part of the cost that grows with the heap. */
  gcUsPerEvent: number;
  heapMB: number;
  rssMB: number;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A bus with retention large enough for the long history, and its consumers. */
async function startBus(): Promise<{ bus: Bus; consumed: () => number; stop(): Promise<void> }> {
  const bus = createMemoryBus(
    {
      prefix: "bench",
      partitions: PARTITIONS,
      retention: { events: { maxAgeMs: 0, maxBytes: -1, maxMsgs: -1 } },
    },
    { logger: silent },
  );
  await bus.start();
  let consumed = 0;
  const consumer = bus.consumePartitions(
    { batchSize: 64, heartbeatMs: 1_000 },
    async (batch: BusMessage[]) => {
      consumed += batch.length;
    },
  );
  await consumer.start();
  const tail = bus.tail("subs", 1, () => {});
  await tail.start();
  return {
    bus,
    consumed: () => consumed,
    async stop() {
      await tail.stop();
      await consumer.stop();
      await bus.stop();
    },
  };
}

let lastMsgId: string | undefined;
let next = 0;

// As the outbox relay publishes: one msgId per event, each publish chained to the previous one.
async function publish(bus: Bus, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const msgId = `e${next++}`;
    const collection = COLLECTIONS[next % COLLECTIONS.length] as string;
    await bus.publish(bus.subjects.eventFor(collection), PAYLOAD, {
      msgId,
      ...(lastMsgId === undefined ? {} : { expectLastMsgId: lastMsgId }),
    });
    lastMsgId = msgId;
  }
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 1));
}

// Publishes and consumes `EVENTS` events on a bus already holding `retained`; measures them.
async function measure(
  bus: Bus,
  consumed: () => number,
  target: number,
  retained: number,
): Promise<Phase> {
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ["gc"] });
  const cpu = process.cpuUsage();
  const started = performance.now();
  await publish(bus, EVENTS);
  await until(() => consumed() >= target);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  gc.disconnect();
  const memory = process.memoryUsage();
  return {
    retained,
    events: EVENTS,
    cpuUsPerEvent: Math.round(((used.user + used.system) / EVENTS) * 10) / 10,
    wallUsPerEvent: Math.round((wall * 1000) / EVENTS),
    gcUsPerEvent: Math.round((gcMs * 10_000) / EVENTS) / 10,
    heapMB: Math.round(memory.heapUsed / 2 ** 20),
    rssMB: Math.round(memory.rss / 2 ** 20),
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const { bus, consumed, stop } = await startBus();
try {
  const phases: Phase[] = [];
  let published = 0;
  for (const retained of [SHORT, LONG]) {
    // Fill the history up to `retained`, consumed like any other events, then measure.
    const fill = retained - published;
    if (fill > 0) {
      log(`filling the history to ${retained.toLocaleString("en")} events…`);
      for (let done = 0; done < fill; done += 10_000)
        await publish(bus, Math.min(10_000, fill - done));
      published += fill;
      await until(() => consumed() >= published);
    }
    const phase = await measure(
      bus,
      consumed,
      published + EVENTS,
      (await bus.info("events")).messages,
    );
    published += EVENTS;
    phases.push(phase);
    log(
      `${phase.retained.toLocaleString("en")} retained: ${phase.cpuUsPerEvent} µs CPU and ${phase.wallUsPerEvent} µs wall per event, of which ${phase.gcUsPerEvent} µs in GC pauses (heap ${phase.heapMB} MB, RSS ${phase.rssMB} MB)`,
    );
  }
  const [short, long] = phases as [Phase, Phase];
  const ratio = Math.round((long.cpuUsPerEvent / short.cpuUsPerEvent) * 100) / 100;
  log(`CPU per event, long history ÷ short history: ${ratio}× (target ≤ 1.2×)`);
  if (args.json) console.log(JSON.stringify({ phases, ratio }, null, 2));
} finally {
  await stop();
}
