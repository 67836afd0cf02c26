import {
  type BusConfig,
  type ResolvedBusConfig,
  resolveBusConfig,
  resolveConsumeOptions,
} from "./config.ts";
import { createDeadLetters } from "./dead-letters.ts";
import { BusStateError, BusUnavailableError, UnknownSubjectError } from "./errors.ts";
import { type BusNames, busNames } from "./naming.ts";
import { PartitionConsumerImpl } from "./partition-consumer.ts";
import { toRecord } from "./records.ts";
import { streamSpec } from "./specs.ts";
import { BusTail } from "./tail.ts";
import { injectTraceContext } from "./trace.ts";
import type { Transport } from "./transport.ts";
import type {
  Bus,
  BusLogger,
  BusRecord,
  BusStreamInfo,
  BusStreamKind,
  ConsumeOptions,
  DeadLetters,
  PartitionConsumer,
  PartitionHandler,
  PublishAck,
  PublishOptions,
  ReadOptions,
  Tail,
  TailHandler,
} from "./types.ts";

/** What every bus takes besides its configuration. */
export interface BusDeps {
  /** Where warnings (retries, parked messages, lost leases) go. @default a logger that drops everything */
  logger?: BusLogger;
}

const READ_LIMIT = 10_000;
const KINDS = ["events", "subs", "dlq", "leases"] as const;

const silent: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The bus on top of a transport. Everything with semantics (partition leases, ordering, retries,
 * parking, barriers, trace propagation) lives here, once for both implementations.
 */
class TransportBus implements Bus {
  readonly partitions: number;
  readonly deadLetters: DeadLetters;
  readonly #transport: Transport;
  readonly #config: ResolvedBusConfig;
  readonly #names: BusNames;
  readonly #logger: BusLogger;
  readonly #consumers = new Set<PartitionConsumerImpl>();
  readonly #tails = new Set<BusTail>();
  #state: "idle" | "starting" | "running" | "stopped" = "idle";

  constructor(transport: Transport, config: ResolvedBusConfig, logger: BusLogger) {
    this.#transport = transport;
    this.#config = config;
    this.#names = busNames(config.prefix, config.partitions);
    this.#logger = logger;
    this.partitions = config.partitions;
    this.deadLetters = createDeadLetters({
      transport,
      names: this.#names,
      publishTimeoutMs: config.publishTimeoutMs,
      assertRunning: () => this.#assertRunning(),
    });
  }

  get subjects() {
    return this.#names.subjects;
  }

  async start(): Promise<void> {
    if (this.#state !== "idle") throw new BusStateError(`bus is ${this.#state}; it starts once`);
    this.#state = "starting";
    try {
      await this.#transport.connect();
      await Promise.all(
        KINDS.map((kind) =>
          this.#transport.ensureStream(streamSpec(this.#names, this.#config, kind)),
        ),
      );
    } catch (error) {
      this.#state = "idle";
      await this.#transport.close().catch(() => {});
      throw error;
    }
    this.#state = "running";
  }

  async stop(): Promise<void> {
    if (this.#state !== "running") return;
    this.#state = "stopped";
    await Promise.all([...this.#consumers].map((consumer) => consumer.stop()));
    await Promise.all([...this.#tails].map((tail) => tail.stop()));
    await this.#transport.drain();
  }

  async abort(): Promise<void> {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    for (const consumer of this.#consumers) consumer.abort();
    await this.#transport.close();
    await Promise.all([...this.#tails].map((tail) => tail.stop()));
  }

  async publish(
    subject: string,
    data: Uint8Array,
    options: PublishOptions = {},
  ): Promise<PublishAck> {
    this.#assertRunning();
    if (this.#names.streamOf(subject) === undefined) throw new UnknownSubjectError(subject);
    if (!this.#transport.connected) {
      throw new BusUnavailableError("publish", { cause: new Error("not connected to the server") });
    }
    const publishOptions = {
      headers: injectTraceContext(options.headers),
      timeoutMs: this.#config.publishTimeoutMs,
      ...(options.msgId === undefined ? {} : { msgId: options.msgId }),
      ...(options.expectLastMsgId === undefined
        ? {}
        : { expectLastMsgId: options.expectLastMsgId }),
    };
    return this.#transport.publish(subject, data, publishOptions);
  }

  async info(stream: BusStreamKind): Promise<BusStreamInfo> {
    this.#assertRunning();
    const state = await this.#transport.streamState(this.#names.streams[stream]);
    return {
      name: state.spec.name,
      firstSeq: state.messages === 0 ? state.lastSeq + 1 : state.firstSeq,
      lastSeq: state.lastSeq,
      messages: state.messages,
      bytes: state.bytes,
      maxAgeMs: state.spec.maxAgeMs,
      maxBytes: state.spec.maxBytes,
      maxMsgs: state.spec.maxMsgs,
    };
  }

  async firstSeq(stream: BusStreamKind): Promise<number> {
    return (await this.info(stream)).firstSeq;
  }

  async lastSeq(stream: BusStreamKind): Promise<number> {
    return (await this.info(stream)).lastSeq;
  }

  async read(subject: string, fromSeq: number, options: ReadOptions = {}): Promise<BusRecord[]> {
    this.#assertRunning();
    const kind = this.#names.streamOf(subject);
    if (kind === undefined) throw new UnknownSubjectError(subject);
    const limit = Math.min(Math.max(Math.floor(options.limit ?? 1_000), 1), READ_LIMIT);
    const messages = await this.#transport.read(
      this.#names.streams[kind],
      subject,
      Math.max(fromSeq, 1),
      limit,
    );
    const { toSeq } = options;
    return messages.filter((message) => toSeq === undefined || message.seq <= toSeq).map(toRecord);
  }

  tail(stream: BusStreamKind, fromSeq: number, handler: TailHandler): Tail {
    this.#assertRunning();
    const tail = new BusTail(
      this.#transport,
      this.#names.streams[stream],
      fromSeq,
      handler,
      this.#logger,
    );
    this.#tails.add(tail);
    return tail;
  }

  consumePartitions(options: ConsumeOptions, handler: PartitionHandler): PartitionConsumer {
    this.#assertRunning();
    const consumer = new PartitionConsumerImpl(
      {
        transport: this.#transport,
        names: this.#names,
        options: resolveConsumeOptions(options),
        logger: this.#logger,
        handler,
        publishTimeoutMs: this.#config.publishTimeoutMs,
      },
      this.#config.partitions,
    );
    this.#consumers.add(consumer);
    return consumer;
  }

  notify(topic: string, data: Uint8Array): void {
    this.#assertRunning();
    this.#transport.broadcast(this.#names.notice(topic), data);
  }

  onNotice(topic: string, handler: (data: Uint8Array) => void): () => void {
    this.#assertRunning();
    return this.#transport.listen(this.#names.notice(topic), handler);
  }

  onReconnect(listener: () => void): () => void {
    return this.#transport.onReconnect(listener);
  }

  #assertRunning(): void {
    if (this.#state !== "running") throw new BusStateError(`bus is ${this.#state}, not running`);
  }
}

/** Builds a bus over any transport; the public factories wrap this. */
export function createTransportBus(
  transport: Transport,
  config: BusConfig = {},
  deps: BusDeps = {},
): Bus {
  return new TransportBus(transport, resolveBusConfig(config), deps.logger ?? silent);
}
