import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type StreamInfo,
} from "@nats-io/jetstream";
import {
  connect,
  headers as createHeaders,
  type NatsConnection,
  type NodeConnectionOptions,
  nanos,
} from "@nats-io/transport-node";
import { ResourceMissingError } from "../errors.ts";
import type {
  ConsumerSpec,
  ConsumerState,
  Delivery,
  PullRequest,
  StoredMessage,
  StreamSpec,
  StreamState,
  Transport,
  TransportPublishOptions,
} from "../transport.ts";
import { fromNatsError, refusedStream } from "./jetstream-errors.ts";
import {
  consumerConfig,
  delivery,
  expectation,
  sameStream,
  specOf,
  stored,
  storedFromGet,
  streamConfig,
} from "./jetstream-mapping.ts";

/** How to reach NATS. */
export interface JetStreamTransportOptions {
  servers: string | string[];
  name: string;
  /** Time a JetStream API request (stream, consumer, info) may take. */
  apiTimeoutMs: number;
  connection: Partial<NodeConnectionOptions>;
}

/** The transport primitives on a NATS JetStream server (2.9 or later), through nats.js 3. */
export class JetStreamTransport implements Transport {
  readonly #options: JetStreamTransportOptions;
  readonly #listeners = new Set<() => void>();
  readonly #consumers = new Map<string, Consumer>();
  #nc: NatsConnection | undefined;
  #js: JetStreamClient | undefined;
  #jsm: JetStreamManager | undefined;
  #connected = false;

  constructor(options: JetStreamTransportOptions) {
    this.#options = options;
  }

  get connected(): boolean {
    return this.#connected && this.#nc?.isClosed() === false;
  }

  async connect(): Promise<void> {
    const { servers, name, apiTimeoutMs, connection } = this.#options;
    try {
      this.#nc = await connect({
        servers,
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        // Without this every request (each JetStream publish) captures two stack traces up front
        // for errors that almost never happen: about 6 % of a records process's CPU at load. Our
        // errors say which operation failed (fromNatsError) without them.
        noAsyncTraces: true,
        ...connection,
      });
      this.#jsm = await jetstreamManager(this.#nc, { timeout: apiTimeoutMs, checkAPI: false });
      this.#js = jetstream(this.#nc, { timeout: apiTimeoutMs });
    } catch (error) {
      throw fromNatsError(error, "connect");
    }
    this.#connected = true;
    void this.#watch(this.#nc);
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") this.#connected = false;
      if (status.type === "reconnect") {
        this.#connected = true;
        for (const listener of this.#listeners) listener();
      }
    }
  }

  async drain(): Promise<void> {
    this.#connected = false;
    if (this.#nc && !this.#nc.isClosed()) await this.#nc.drain().catch(() => this.#nc?.close());
  }

  async close(): Promise<void> {
    this.#connected = false;
    await this.#nc?.close();
  }

  onReconnect(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async ensureStream(spec: StreamSpec): Promise<void> {
    const jsm = this.#manager();
    const wanted = streamConfig(spec);
    await this.#call("ensureStream", async () => {
      let current: StreamInfo;
      try {
        current = await jsm.streams.info(spec.name);
      } catch (error) {
        if (!(fromNatsError(error, "ensureStream") instanceof ResourceMissingError)) throw error;
        try {
          await jsm.streams.add(wanted);
          return;
        } catch (refusal) {
          // Another process created it meanwhile: compare with what it made. If there is none, the
          // server refused the configuration: say why.
          current = await jsm.streams.info(spec.name).catch(() => {
            throw refusedStream(spec, refusal);
          });
        }
      }
      if (sameStream(current.config, wanted)) return;
      // A single server takes an update to more replicas and keeps one copy: refuse it instead.
      // (A clustered stream's info names its cluster; a single server's names none.)
      if (spec.replicas > 1 && !current.cluster?.name) {
        throw refusedStream(spec, new Error("replicas > 1 not supported in non-clustered mode"));
      }
      // Other limits, or other replicas: JetStream rescales a clustered stream in place.
      await jsm.streams.update(spec.name, wanted).catch((refusal: unknown) => {
        throw refusedStream(spec, refusal);
      });
    });
  }

  async streamState(stream: string): Promise<StreamState> {
    const info = await this.#call("streamState", () => this.#manager().streams.info(stream));
    const { config, state } = info;
    return {
      firstSeq: state.first_seq,
      lastSeq: state.last_seq,
      messages: state.messages,
      bytes: state.bytes,
      spec: specOf(config),
    };
  }

  async publish(
    subject: string,
    data: Uint8Array,
    options: TransportPublishOptions,
  ): Promise<{ stream: string; seq: number; duplicate: boolean }> {
    const js = this.#client();
    const headers = createHeaders();
    for (const [key, value] of Object.entries(options.headers ?? {})) headers.set(key, value);
    return this.#call("publish", async () => {
      const ack = await js.publish(subject, data, {
        headers,
        timeout: options.timeoutMs,
        ...(options.msgId === undefined ? {} : { msgID: options.msgId }),
        ...expectation(options),
      });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    });
  }

  async ensureConsumer(spec: ConsumerSpec): Promise<void> {
    const jsm = this.#manager();
    const config = consumerConfig(spec);
    await this.#call("ensureConsumer", async () => {
      let current: { ack_wait?: number; max_ack_pending?: number };
      try {
        current = (await jsm.consumers.info(spec.stream, spec.name)).config;
      } catch (error) {
        if (!(fromNatsError(error, "ensureConsumer") instanceof ResourceMissingError)) throw error;
        try {
          await jsm.consumers.add(spec.stream, config);
          return;
        } catch {
          current = (await jsm.consumers.info(spec.stream, spec.name)).config;
        }
      }
      if (
        current.ack_wait !== config.ack_wait ||
        current.max_ack_pending !== config.max_ack_pending
      ) {
        await jsm.consumers.update(spec.stream, spec.name, {
          ack_wait: config.ack_wait,
          max_ack_pending: config.max_ack_pending,
        });
      }
    });
  }

  async consumerState(stream: string, consumer: string): Promise<ConsumerState> {
    const info = await this.#call("consumerState", () =>
      this.#manager().consumers.info(stream, consumer),
    );
    return {
      numAckPending: info.num_ack_pending,
      numPending: info.num_pending,
      deliveredStreamSeq: info.delivered.stream_seq,
      deliveredConsumerSeq: info.delivered.consumer_seq,
    };
  }

  async pull(
    stream: string,
    consumer: string,
    request: PullRequest,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<void> {
    if (request.signal.aborted) return;
    const key = `${stream}/${consumer}`;
    await this.#call("pull", async () => {
      try {
        let pullConsumer = this.#consumers.get(key);
        if (!pullConsumer) {
          pullConsumer = await this.#client().consumers.get(stream, consumer);
          this.#consumers.set(key, pullConsumer);
        }
        const messages = await pullConsumer.fetch({
          max_messages: request.max,
          expires: Math.max(request.expiresMs, 1_000),
        });
        const stop = () => messages.stop();
        request.signal.addEventListener("abort", stop, { once: true });
        try {
          for await (const message of messages) onDelivery(delivery(message));
        } finally {
          request.signal.removeEventListener("abort", stop);
        }
      } catch (error) {
        this.#consumers.delete(key);
        throw error;
      }
    });
  }

  async read(
    stream: string,
    subject: string,
    fromSeq: number,
    limit: number,
  ): Promise<StoredMessage[]> {
    const jsm = this.#manager();
    return this.#call("read", async () => {
      // A short-lived consumer tells how many messages match, so the fetch never waits for more.
      const info = await jsm.consumers.add(stream, {
        filter_subject: subject,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: fromSeq,
        ack_policy: AckPolicy.None,
        inactive_threshold: nanos(30_000),
        mem_storage: true,
        num_replicas: 1,
      });
      try {
        const want = Math.min(limit, info.num_pending);
        const out: StoredMessage[] = [];
        if (want === 0) return out;
        const consumer = this.#client().consumers.getConsumerFromInfo(info);
        const messages = await consumer.fetch({ max_messages: want, expires: 5_000 });
        for await (const message of messages) out.push(stored(message));
        return out;
      } finally {
        jsm.consumers.delete(stream, info.name).catch(() => {});
      }
    });
  }

  async getMessage(stream: string, seq: number): Promise<StoredMessage | undefined> {
    const message = await this.#call("getMessage", () =>
      this.#manager().streams.getMessage(stream, { seq }),
    );
    return message ? storedFromGet(message) : undefined;
  }

  async deleteMessage(stream: string, seq: number): Promise<boolean> {
    const jsm = this.#manager();
    return this.#call("deleteMessage", async () => {
      try {
        return await jsm.streams.deleteMessage(stream, seq);
      } catch (error) {
        // The server says "not found" in several ways (10043, or 10057 with a store error that
        // also covers real failures): whether the message is there is what decides.
        if ((error as { name?: unknown }).name !== "JetStreamApiError") throw error;
        if ((await jsm.streams.getMessage(stream, { seq })) === null) return false;
        throw error;
      }
    });
  }

  async follow(
    stream: string,
    fromSeq: number,
    onMessage: (message: StoredMessage) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    await this.#call("follow", async () => {
      const consumer = await this.#client().consumers.get(
        stream,
        fromSeq > 1
          ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq }
          : { deliver_policy: DeliverPolicy.All },
      );
      const messages = await consumer.consume({ max_messages: 256 });
      const stop = () => messages.stop();
      signal.addEventListener("abort", stop, { once: true });
      try {
        for await (const message of messages) {
          if (signal.aborted) break;
          await onMessage(stored(message));
        }
      } finally {
        signal.removeEventListener("abort", stop);
        messages.stop();
      }
      if (!signal.aborted) {
        // The reader gave up on its own (connection closed, stream deleted): let the caller resume.
        const reason = await messages.closed();
        throw reason ?? new Error("ordered consumer ended");
      }
    });
  }

  broadcast(subject: string, data: Uint8Array): void {
    if (this.connected) this.#nc?.publish(subject, data);
  }

  listen(subject: string, listener: (data: Uint8Array) => void): () => void {
    const subscription = this.#nc?.subscribe(subject, {
      callback: (error, message) => {
        if (!error) listener(message.data);
      },
    });
    return () => subscription?.unsubscribe();
  }

  async #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw fromNatsError(error, operation);
    }
  }

  #manager(): JetStreamManager {
    if (!this.#jsm) throw new Error("JetStream transport used before connect()");
    return this.#jsm;
  }

  #client(): JetStreamClient {
    if (!this.#js) throw new Error("JetStream transport used before connect()");
    return this.#js;
  }
}
