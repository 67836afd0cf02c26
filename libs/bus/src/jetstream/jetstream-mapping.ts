import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  type JsMsg,
  RetentionPolicy,
  StorageType,
  type StoredMsg,
  type StreamConfig,
} from "@nats-io/jetstream";
import { type MsgHdrs, nanos } from "@nats-io/transport-node";
import type {
  ConsumerSpec,
  Delivery,
  StoredMessage,
  StreamSpec,
  TransportPublishOptions,
} from "../transport.ts";

// Translations between the transport's specs and messages and nats.js's.

/** NATS headers as a plain object (first value of each). */
export function headersOf(source: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!source) return out;
  for (const key of source.keys()) out[key] = source.get(key);
  return out;
}

/** A message read directly from a stream (by sequence) as the transport's stored message. */
export function storedFromGet(message: StoredMsg): StoredMessage {
  return {
    subject: message.subject,
    seq: message.seq,
    data: message.data,
    headers: headersOf(message.header),
    time: message.time,
  };
}

/** A JetStream message as the transport's stored message. */
export function stored(message: JsMsg): StoredMessage {
  return {
    subject: message.subject,
    seq: message.seq,
    data: message.data,
    headers: headersOf(message.headers),
    time: message.time,
  };
}

// Acks are fire-and-forget: on a closed connection the message simply is redelivered later.
function quietly(action: () => void): void {
  try {
    action();
  } catch {}
}

/** A consumer delivery whose acknowledgements never throw. */
export function delivery(message: JsMsg): Delivery {
  return {
    ...stored(message),
    deliveryCount: message.info.deliveryCount,
    deliverySeq: message.info.deliverySequence,
    ack: () => quietly(() => message.ack()),
    nak: (delayMs) => quietly(() => (delayMs > 0 ? message.nak(delayMs) : message.nak())),
    term: () => quietly(() => message.term()),
    working: () => quietly(() => message.working()),
  };
}

/** The JetStream configuration of a stream spec: limits retention, file storage, discard old. */
export function streamConfig(spec: StreamSpec): StreamConfig {
  return {
    name: spec.name,
    subjects: spec.subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(spec.maxAgeMs),
    max_bytes: spec.maxBytes,
    max_msgs: spec.maxMsgs,
    max_msgs_per_subject: spec.maxMsgsPerSubject,
    duplicate_window: nanos(spec.duplicateWindowMs),
    num_replicas: spec.replicas,
  } as StreamConfig;
}

/** True when the fields the bus manages already have the wanted values. */
export function sameStream(current: StreamConfig, wanted: StreamConfig): boolean {
  return (
    [...current.subjects].sort().join() === [...wanted.subjects].sort().join() &&
    current.max_age === wanted.max_age &&
    current.max_bytes === wanted.max_bytes &&
    current.max_msgs === wanted.max_msgs &&
    current.max_msgs_per_subject === wanted.max_msgs_per_subject &&
    current.duplicate_window === wanted.duplicate_window &&
    current.num_replicas === wanted.num_replicas
  );
}

/** A stream spec read back from JetStream's configuration. */
export function specOf(config: StreamConfig): StreamSpec {
  return {
    name: config.name,
    subjects: config.subjects,
    maxAgeMs: Math.round(config.max_age / 1e6),
    maxBytes: config.max_bytes,
    maxMsgs: config.max_msgs,
    maxMsgsPerSubject: config.max_msgs_per_subject,
    duplicateWindowMs: Math.round((config.duplicate_window ?? 0) / 1e6),
    replicas: config.num_replicas,
  };
}

/** A durable pull consumer: explicit acks, unlimited deliveries (parking is decided by the bus). */
export function consumerConfig(
  spec: ConsumerSpec,
): Partial<ConsumerConfig> & { ack_wait: number; max_ack_pending: number } {
  return {
    durable_name: spec.name,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    ...(spec.startSeq === undefined
      ? { deliver_policy: DeliverPolicy.All }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: spec.startSeq }),
    ack_wait: nanos(spec.ackWaitMs),
    max_ack_pending: spec.maxAckPending,
    max_deliver: -1,
  };
}

/** The conditions of a conditional publish, in nats.js terms. */
export function expectation(options: TransportPublishOptions) {
  const expect: { lastSubjectSequence?: number; lastMsgID?: string } = {};
  if (options.expectLastSubjectSeq !== undefined)
    expect.lastSubjectSequence = options.expectLastSubjectSeq;
  if (options.expectLastMsgId !== undefined) expect.lastMsgID = options.expectLastMsgId;
  return Object.keys(expect).length === 0 ? {} : { expect };
}
