import type { Context } from "@opentelemetry/api";
import type { ExpectationFailedError } from "./errors.ts";

/** The streams a bus owns: change events, subscription deltas, parked (dead-letter) events. */
export type BusStreamKind = "events" | "subs" | "dlq";

/** A message as stored in a stream, as `read()` and `tail()` return it. */
export interface BusRecord {
  readonly subject: string;
  /** Stream sequence: increasing within the stream, so within each subject and partition. */
  readonly seq: number;
  readonly data: Uint8Array;
  /** Headers as published, plus `Nats-Msg-Id` when a msgId was given. */
  readonly headers: Readonly<Record<string, string>>;
  /** The de-duplication id given at publish, if any. */
  readonly msgId: string | undefined;
  /** When the stream stored the message. */
  readonly time: Date;
  /** Trace context extracted from the headers: start the consumer's span with it as parent. */
  readonly context: Context;
}

/** A change event handed to a partition handler. */
export interface BusMessage extends BusRecord {
  readonly partition: number;
  /** 1 on first delivery; grows with every redelivery (failure, crash, or hand-over). */
  readonly deliveryCount: number;
  /** Resets the ack-wait timer: call it from handlers that run longer than `ackWaitMs`. */
  working(): void;
}

/** Options of {@link Bus.publish}. */
export interface PublishOptions {
  /** De-duplication id: a re-publish within the duplicate window is stored once. */
  msgId?: string;
  /** Extra headers; `traceparent`/`tracestate` are added from the active context. */
  headers?: Record<string, string>;
  /**
   * Store only if the stream's last stored message carries this msgId; otherwise the publish is
   * refused with {@link ExpectationFailedError}. A single writer chains its publishes this way, so
   * a message can never be stored after a later one that failed before it (no holes, no reordering).
   */
  expectLastMsgId?: string;
}

/** What the stream answered to a publish. */
export interface PublishAck {
  readonly stream: string;
  /** Sequence of the stored message (the original one for a duplicate). */
  readonly seq: number;
  /** True when the msgId was already stored within the duplicate window. */
  readonly duplicate: boolean;
}

/** State and retention of one stream. */
export interface BusStreamInfo {
  readonly name: string;
  /**
   * Lowest sequence still retained; `lastSeq + 1` when the stream is empty. Every message with a
   * sequence at or above it (up to `lastSeq`) can still be read.
   */
  readonly firstSeq: number;
  /** Sequence of the newest message ever stored (0 for a stream that never had one). */
  readonly lastSeq: number;
  readonly messages: number;
  readonly bytes: number;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  readonly maxMsgs: number;
}

/** Options of {@link Bus.read}. */
export interface ReadOptions {
  /** Last sequence to return (inclusive). @default the stream's last sequence at the time of the call */
  toSeq?: number;
  /** At most this many messages. @default 1000 */
  limit?: number;
}

/**
 * Handles one batch of a partition, in stream order. Resolve to acknowledge the whole batch.
 * Throw {@link MessageFailedError} to say which message failed (the ones before it are
 * acknowledged); throw an error with `retryable: true` for an outage (the batch is held and
 * retried, never parked); any other error counts as a failed delivery.
 */
export type PartitionHandler = (batch: BusMessage[], partition: number) => Promise<void>;

/** Handles one message of a tailed stream, in stream order. */
export type TailHandler = (record: BusRecord) => Promise<void> | void;

/** A long-lived reader: nothing happens before `start()`. */
export interface Lifecycle {
  start(): Promise<void>;
  /** Finishes the work in hand, hands the rest back to the stream, and stops. */
  stop(): Promise<void>;
}

/** This replica's share of the partitions of a consumer group. */
export interface PartitionConsumer extends Lifecycle {
  /** Partitions this replica currently holds, ascending. */
  owned(): number[];
  /**
   * Per held partition, the events not yet acknowledged by this replica: the consumer lag. A
   * partition whose state cannot be read now is left out.
   */
  pending(): Promise<Map<number, PartitionLag>>;
}

/** The lag of one partition's consumer. */
export interface PartitionLag {
  /** Events never delivered yet. */
  readonly pending: number;
  /** Events delivered and not yet acknowledged (in hand, or waiting for a retry). */
  readonly ackPending: number;
}

/** A message parked on the dead-letter subject, with what its `Tidings-Dlq-*` headers say. */
export interface ParkedMessage extends BusRecord {
  /** The partition it was parked from. */
  readonly partition: number;
  /** The subject it was published on, where a retry publishes it again. */
  readonly originalSubject: string;
  /** Its sequence in the events stream. */
  readonly originalSeq: number;
  /** How many times it had been delivered when it was parked. */
  readonly deliveries: number;
  /** The handler's last error, on one line. */
  readonly reason: string;
  /** The msgId it was first published with, if any. */
  readonly originalMsgId: string | undefined;
}

/** The dead-letter stream, for an operator: inspect, retry or drop parked messages. */
export interface DeadLetters {
  /** Parked messages held now. */
  count(): Promise<number>;
  /**
   * Up to `limit` parked messages, oldest first, after skipping the `offset` oldest. Reads about
   * one page while no letter between the oldest and newest was removed; after removals it also
   * reads past the letters on the shorter side of `offset` (the transport cannot count a range).
   */
  list(offset: number, limit: number): Promise<ParkedMessage[]>;
  /** The parked message stored at `seq` of the dead-letter stream, if any. */
  get(seq: number): Promise<ParkedMessage | undefined>;
  /**
   * Publishes parked message `seq` again, with its original data and headers, on its original
   * subject, then removes it from the dead-letter stream. Its new msgId is derived from `seq`, so
   * a retry repeated after a failure between the two steps is stored once. It lands after every
   * event published since it was first stored. Resolves to the new message's ack; undefined when
   * there is no parked message `seq`. Throws `UnknownSubjectError`, publishing nothing, when its
   * original subject is missing or is not an events subject.
   */
  retry(seq: number): Promise<PublishAck | undefined>;
  /** Removes parked message `seq`; false when there is none. */
  drop(seq: number): Promise<boolean>;
}

/** A fan-out reader of a whole stream, from a sequence on. */
export interface Tail extends Lifecycle {
  /** Sequence of the last message whose handler has finished (`fromSeq - 1` before any). */
  position(): number;
  /** Resolves once every message up to `seq` has been handled. */
  waitFor(seq: number, timeoutMs?: number): Promise<void>;
  /**
   * The barrier: reads the stream's current last sequence and waits until it has been handled.
   * Resolves to that sequence.
   */
  sync(timeoutMs?: number): Promise<number>;
}

/** Structured logger; pino's signature. */
export interface BusLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Subjects and stream names derived from a prefix. */
export interface BusSubjects {
  readonly prefix: string;
  /** Subject of partition `p`'s change events. */
  event(partition: number): string;
  /** Subject of a collection's change events (its partition's subject). */
  eventFor(collection: string): string;
  /** Wildcard matching every partition's events. */
  readonly events: string;
  /** Subject that parked events of partition `p` land on. */
  dlq(partition: number): string;
  /** Subject of subscription deltas. */
  readonly subs: string;
}

/**
 * The message bus: JetStream in a cluster, in-process in single-node mode, with the same
 * ordering, redelivery and de-duplication.
 */
export interface Bus extends Lifecycle {
  readonly subjects: BusSubjects;
  /** Number of event partitions. */
  readonly partitions: number;
  /**
   * Stops at once without acknowledging, handing back or draining, as a crash would: what was
   * in flight is redelivered after its ack wait.
   */
  abort(): Promise<void>;
  /**
   * Stores a message; resolves once it is durably stored. Throws {@link BusUnavailableError}
   * (retryable) when the server cannot be reached.
   */
  publish(subject: string, data: Uint8Array, options?: PublishOptions): Promise<PublishAck>;
  /** State and retention of a stream. */
  info(stream: BusStreamKind): Promise<BusStreamInfo>;
  /** Lowest retained sequence of a stream (see {@link BusStreamInfo.firstSeq}). */
  firstSeq(stream: BusStreamKind): Promise<number>;
  /** Newest sequence of a stream. */
  lastSeq(stream: BusStreamKind): Promise<number>;
  /** Messages on `subject` (wildcards allowed) from `fromSeq` on, in order, bounded. */
  read(subject: string, fromSeq: number, options?: ReadOptions): Promise<BusRecord[]>;
  /** A fan-out reader of a whole stream from `fromSeq`; call `start()` on it. */
  tail(stream: BusStreamKind, fromSeq: number, handler: TailHandler): Tail;
  /** This replica's work consumer of the event partitions; call `start()` on it. */
  consumePartitions(options: ConsumeOptions, handler: PartitionHandler): PartitionConsumer;
  /**
   * Tells every replica listening on `topic` (one token of letters, digits, `_` and `-`) something
   * not worth storing, such as "this collection changed": fire and forget, at most once. A replica
   * that is disconnected at the time misses it (see {@link Bus.onReconnect}).
   */
  notify(topic: string, data: Uint8Array): void;
  /** Calls `handler` for each notice on `topic` from now on (the bus must be running); returns the function that stops it. */
  onNotice(topic: string, handler: (data: Uint8Array) => void): () => void;
  /** Calls `listener` whenever the connection to the server comes back: notices sent meanwhile were missed. */
  onReconnect(listener: () => void): () => void;
  /** The messages parked on the dead-letter subjects (the bus must be running). */
  readonly deadLetters: DeadLetters;
}

/** Options of {@link Bus.consumePartitions}. */
export interface ConsumeOptions {
  /** Consumer group: replicas with the same group share the partitions. @default "evaluator" */
  group?: string;
  /** Largest batch handed to the handler; also the consumer's `max_ack_pending`. @default 64 */
  batchSize?: number;
  /** Time a delivered message may stay unacknowledged before it is redelivered. @default 10000 */
  ackWaitMs?: number;
  /** Failed deliveries of a message before it is parked on the dead-letter subject. @default 5 */
  maxDeliver?: number;
  /** Delay before the n-th redelivery after a failure, in ms; the last repeats. @default [250, 1000, 5000, 15000, 30000] */
  backoff?: number[];
  /** How long one pull waits for messages (the server's `expires`), at least 1000. @default 5000 */
  pollMs?: number;
  /** Time a dead replica keeps its partitions; must exceed `ackWaitMs`. @default ackWaitMs + 2000 */
  leaseMs?: number;
  /** Interval of the replica heartbeats used to share partitions fairly. @default 1000 */
  heartbeatMs?: number;
}
