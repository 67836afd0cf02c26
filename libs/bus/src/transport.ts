/**
 * The few JetStream primitives the bus is built on. The JetStream transport maps them onto
 * nats.js; the memory transport re-implements them in process with the same semantics
 * (sequences, de-duplication, retention, ack wait, nak delay, max ack pending), so ordering,
 * leases, retries and parking are written once, in the bus core, for both.
 */

/** A stream with limits retention. */
export interface StreamSpec {
  name: string;
  subjects: string[];
  /** 0 = no age limit. */
  maxAgeMs: number;
  /** -1 = no limit. */
  maxBytes: number;
  /** -1 = no limit. */
  maxMsgs: number;
  /** -1 = no limit. */
  maxMsgsPerSubject: number;
  duplicateWindowMs: number;
  replicas: number;
}

/** A durable pull consumer with explicit acks and unlimited deliveries. */
export interface ConsumerSpec {
  stream: string;
  name: string;
  filterSubject: string;
  ackWaitMs: number;
  maxAckPending: number;
  /** Where a consumer created now starts (the stream's first message when absent); ignored if it exists. */
  startSeq?: number;
}

export interface StreamState {
  /** As the server reports it (0 for a new stream; `lastSeq + 1` once emptied). */
  firstSeq: number;
  lastSeq: number;
  messages: number;
  bytes: number;
  spec: StreamSpec;
}

export interface ConsumerState {
  /** Delivered and not yet acknowledged (including those waiting for a nak delay). */
  numAckPending: number;
  /** Matching messages never delivered yet. */
  numPending: number;
  /** Stream sequence of the last delivery. */
  deliveredStreamSeq: number;
  /** Consumer sequence of the last delivery: grows by one with every delivery. */
  deliveredConsumerSeq: number;
}

export interface StoredMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
  headers: Record<string, string>;
  time: Date;
}

/** A message delivered by a durable consumer; acknowledgements never throw. */
export interface Delivery extends StoredMessage {
  deliveryCount: number;
  /** Consumer sequence of this delivery. */
  deliverySeq: number;
  ack(): void;
  /** Redeliver after `delayMs` (at once when 0). */
  nak(delayMs: number): void;
  term(): void;
  working(): void;
}

export interface TransportPublishOptions {
  msgId?: string;
  headers?: Record<string, string>;
  /** Store only if the subject's last sequence is this (0 = the subject is empty). */
  expectLastSubjectSeq?: number;
  /** Store only if the stream's last stored message has this msgId. */
  expectLastMsgId?: string;
  timeoutMs: number;
}

export interface PullRequest {
  /** Most messages this pull may return. */
  max: number;
  /** How long the pull waits for messages. */
  expiresMs: number;
  signal: AbortSignal;
}

/**
 * Errors: {@link BusUnavailableError} for outages, {@link ResourceMissingError} for a missing
 * stream or consumer, {@link ExpectationFailedError} for a failed conditional publish.
 */
export interface Transport {
  /** Connects (waiting for the server if needed). */
  connect(): Promise<void>;
  /** Flushes and closes. */
  drain(): Promise<void>;
  /** Closes at once, as a crash would: nothing is acknowledged. */
  close(): Promise<void>;
  /** False while the connection is down. */
  readonly connected: boolean;
  /** Calls `listener` after each reconnection; returns the unsubscribe function. */
  onReconnect(listener: () => void): () => void;
  /** Creates the stream, or updates it when its configuration differs. */
  ensureStream(spec: StreamSpec): Promise<void>;
  streamState(stream: string): Promise<StreamState>;
  publish(
    subject: string,
    data: Uint8Array,
    options: TransportPublishOptions,
  ): Promise<{ stream: string; seq: number; duplicate: boolean }>;
  /** Creates the consumer, or updates it when its configuration differs. */
  ensureConsumer(spec: ConsumerSpec): Promise<void>;
  consumerState(stream: string, consumer: string): Promise<ConsumerState>;
  /** One pull: calls `onDelivery` for each message, resolves when the pull ends or is aborted. */
  pull(
    stream: string,
    consumer: string,
    request: PullRequest,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<void>;
  /** Up to `limit` messages on `subject` (wildcards allowed) with sequence >= `fromSeq`, in order. */
  read(stream: string, subject: string, fromSeq: number, limit: number): Promise<StoredMessage[]>;
  /** Message `seq` of the stream; undefined when it holds none (never stored, trimmed or deleted). */
  getMessage(stream: string, seq: number): Promise<StoredMessage | undefined>;
  /**
   * Removes message `seq` from the stream; false when it holds none. The stream's last sequence
   * stays; its first moves on when the first message goes; a msgId stays remembered for the
   * duplicate window.
   */
  deleteMessage(stream: string, seq: number): Promise<boolean>;
  /**
   * Ordered delivery of the whole stream from `fromSeq`, awaiting `onMessage` for each; resolves
   * when `signal` aborts, rejects when the reader breaks (the caller resumes from its position).
   */
  follow(
    stream: string,
    fromSeq: number,
    onMessage: (message: StoredMessage) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void>;
  /** Fire-and-forget message to every listener of `subject` (not stored). */
  broadcast(subject: string, data: Uint8Array): void;
  /** Listens to `subject`; returns the unsubscribe function. */
  listen(subject: string, listener: (data: Uint8Array) => void): () => void;
}
