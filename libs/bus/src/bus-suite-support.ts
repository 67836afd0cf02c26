import { context, propagation } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { BusConfig } from "./config.ts";
import { partitionOf } from "./naming.ts";
import type { Bus, BusLogger, ConsumeOptions } from "./types.ts";

// Helpers of the bus's tests.

/** Buses for one test, all on the same server and prefix, like replicas of one deployment. */
export interface BusHarness extends AsyncDisposable {
  /** The subject prefix every bus of the test shares. */
  readonly prefix: string;
  /** A started bus with a connection of its own. */
  bus(config?: Partial<BusConfig>, logger?: BusLogger): Promise<Bus>;
  /** Deletes a consumer behind the buses' backs, as an operator or a server losing state would. */
  deleteConsumer(stream: string, consumer: string): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const encode = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
export const decode = <T = { c: string; n: number }>(data: Uint8Array): T =>
  JSON.parse(decoder.decode(data)) as T;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export { eventually } from "@tidings/testing";

/** A logger that keeps its lines. */
export function recordingLogger(): BusLogger & {
  lines: Array<{ level: string; message: string; fields: object }>;
} {
  const lines: Array<{ level: string; message: string; fields: object }> = [];
  const at = (level: string) => (fields: object, message: string) =>
    lines.push({ level, message, fields });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** `count` collection names, spread so that every one of `partitions` partitions gets some. */
export function collections(count: number, partitions: number): string[] {
  const names: string[] = [];
  for (let i = 0; names.length < count; i++) {
    const name = `col${i}`;
    if (partitionOf(name, partitions) === names.length % partitions) names.push(name);
  }
  return names;
}

/** Set up once per process: OpenTelemetry allows one global context manager and propagator. */
let tracing: { exporter: InMemorySpanExporter; provider: TracerProvider } | undefined;
/** Registers async-hooks context, the W3C propagator and an in-memory span exporter. */
export function setUpTracing() {
  if (!tracing) {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    tracing = { exporter, provider };
  }
  return tracing;
}

/** Consumer settings that keep the shared bus tests quick. */
export const FAST: ConsumeOptions = {
  batchSize: 8,
  ackWaitMs: 2_000,
  pollMs: 1_000,
  heartbeatMs: 200,
};
