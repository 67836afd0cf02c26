import { BusUnavailableError } from "../errors.ts";
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
import type { MemoryBroker } from "./memory-broker.ts";
import type { MemoryStream } from "./memory-stream.ts";

function copy(message: StoredMessage): StoredMessage {
  const { subject, seq, data, headers, time } = message;
  return { subject, seq, data, headers: { ...headers }, time };
}

function nextAppend(stream: MemoryStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      unsubscribe();
      signal.removeEventListener("abort", done);
      resolve();
    };
    const unsubscribe = stream.onAppend(done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** One "connection" to a {@link MemoryBroker}; closing it is what a crashed process looks like. */
export class MemoryTransport implements Transport {
  readonly #broker: MemoryBroker;
  closed = false;

  constructor(broker: MemoryBroker) {
    this.#broker = broker;
  }

  get connected(): boolean {
    return !this.closed;
  }

  async connect(): Promise<void> {}

  async drain(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.#broker.dropClient(this);
  }

  onReconnect(): () => void {
    return () => {};
  }

  async ensureStream(spec: StreamSpec): Promise<void> {
    this.#open("ensureStream");
    this.#broker.ensureStream(spec);
  }

  async streamState(stream: string): Promise<StreamState> {
    this.#open("streamState");
    return this.#broker.stream(stream).state();
  }

  async publish(
    subject: string,
    data: Uint8Array,
    options: TransportPublishOptions,
  ): Promise<{ stream: string; seq: number; duplicate: boolean }> {
    this.#open("publish");
    const stream = this.#broker.streamFor(subject);
    if (!stream) {
      throw new BusUnavailableError("publish", { cause: new Error(`no stream stores ${subject}`) });
    }
    const { msgId, headers = {}, expectLastSubjectSeq, expectLastMsgId } = options;
    const ack = stream.append(subject, data, headers, msgId, {
      expectLastSubjectSeq,
      expectLastMsgId,
    });
    return { stream: stream.spec.name, ...ack };
  }

  async ensureConsumer(spec: ConsumerSpec): Promise<void> {
    this.#open("ensureConsumer");
    this.#broker.ensureConsumer(spec);
  }

  async consumerState(stream: string, consumer: string): Promise<ConsumerState> {
    this.#open("consumerState");
    return this.#broker.consumer(stream, consumer).state();
  }

  async pull(
    stream: string,
    consumer: string,
    request: PullRequest,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<void> {
    this.#open("pull");
    await this.#broker.consumer(stream, consumer).pull(this, request, onDelivery);
  }

  async read(
    stream: string,
    subject: string,
    fromSeq: number,
    limit: number,
  ): Promise<StoredMessage[]> {
    this.#open("read");
    return this.#broker.stream(stream).range(fromSeq, subject, limit).map(copy);
  }

  async getMessage(stream: string, seq: number): Promise<StoredMessage | undefined> {
    this.#open("getMessage");
    const source = this.#broker.stream(stream);
    source.prune();
    const message = source.get(seq);
    return message && copy(message);
  }

  async deleteMessage(stream: string, seq: number): Promise<boolean> {
    this.#open("deleteMessage");
    return this.#broker.stream(stream).delete(seq);
  }

  async follow(
    stream: string,
    fromSeq: number,
    onMessage: (message: StoredMessage) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void> {
    let cursor = Math.max(fromSeq, 1);
    while (!signal.aborted) {
      this.#open("follow");
      const source = this.#broker.stream(stream);
      const next = source.nextFrom(cursor, ">");
      if (next) {
        await onMessage(copy(next));
        cursor = next.seq + 1;
      } else {
        await nextAppend(source, signal);
      }
    }
  }

  broadcast(subject: string, data: Uint8Array): void {
    if (this.closed) return;
    queueMicrotask(() => this.#broker.broadcast(subject, data));
  }

  listen(subject: string, listener: (data: Uint8Array) => void): () => void {
    return this.#broker.listen(subject, (data) => {
      if (!this.closed) listener(data);
    });
  }

  #open(operation: string): void {
    if (this.closed)
      throw new BusUnavailableError(operation, { cause: new Error("transport closed") });
  }
}
