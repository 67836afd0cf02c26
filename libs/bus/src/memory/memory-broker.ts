import { ResourceMissingError } from "../errors.ts";
import type { ConsumerSpec, StreamSpec } from "../transport.ts";
import { MemoryConsumer } from "./memory-consumer.ts";
import { MemoryStream } from "./memory-stream.ts";

/**
 * The in-process stand-in for a NATS server: streams, durable consumers and plain
 * publish/subscribe. Every in-memory bus built on the same broker sees the same streams, as
 * processes on the same NATS server do, which is what multi-node tests in one process need.
 */
export class MemoryBroker {
  readonly #streams = new Map<string, MemoryStream>();
  readonly #consumers = new Map<string, MemoryConsumer>();
  readonly #listeners = new Map<string, Set<(data: Uint8Array) => void>>();
  /** Which stream stores a subject, remembered until the streams change. */
  readonly #storedIn = new Map<string, MemoryStream | undefined>();
  readonly #now: () => number;

  /** @param now clock used for message times and age limits. @default Date.now */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  ensureStream(spec: StreamSpec): void {
    this.#storedIn.clear();
    const existing = this.#streams.get(spec.name);
    if (existing) existing.update(spec);
    else this.#streams.set(spec.name, new MemoryStream(spec, this.#now));
  }

  stream(name: string): MemoryStream {
    const stream = this.#streams.get(name);
    if (!stream) throw new ResourceMissingError(`stream ${name} not found`);
    return stream;
  }

  /** The stream that stores `subject`, if any. */
  streamFor(subject: string): MemoryStream | undefined {
    if (this.#storedIn.has(subject)) return this.#storedIn.get(subject);
    const stream = [...this.#streams.values()].find((candidate) => candidate.stores(subject));
    this.#storedIn.set(subject, stream);
    return stream;
  }

  /** Deletes a stream and its consumers. */
  deleteStream(name: string): void {
    this.#streams.delete(name);
    this.#storedIn.clear();
    for (const [key, consumer] of this.#consumers) {
      if (key.startsWith(`${name}/`)) {
        consumer.close();
        this.#consumers.delete(key);
      }
    }
  }

  ensureConsumer(spec: ConsumerSpec): void {
    const key = `${spec.stream}/${spec.name}`;
    const existing = this.#consumers.get(key);
    if (existing) existing.update(spec);
    else this.#consumers.set(key, new MemoryConsumer(spec, this.stream(spec.stream)));
  }

  /** Deletes a consumer; its waiting pulls end. */
  deleteConsumer(stream: string, name: string): void {
    this.#consumers.get(`${stream}/${name}`)?.close();
    this.#consumers.delete(`${stream}/${name}`);
  }

  consumer(stream: string, name: string): MemoryConsumer {
    const consumer = this.#consumers.get(`${stream}/${name}`);
    if (!consumer) throw new ResourceMissingError(`consumer ${name} of ${stream} not found`);
    return consumer;
  }

  /** Forgets the waiting pulls of a client that closed. */
  dropClient(client: object): void {
    for (const consumer of this.#consumers.values()) consumer.dropClient(client);
  }

  broadcast(subject: string, data: Uint8Array): void {
    for (const listener of this.#listeners.get(subject) ?? []) listener(data);
  }

  listen(subject: string, listener: (data: Uint8Array) => void): () => void {
    let set = this.#listeners.get(subject);
    if (!set) {
      set = new Set();
      this.#listeners.set(subject, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Stops every timer; the broker is unusable afterwards. */
  close(): void {
    for (const consumer of this.#consumers.values()) consumer.close();
    this.#consumers.clear();
    this.#streams.clear();
    this.#storedIn.clear();
    this.#listeners.clear();
  }
}
