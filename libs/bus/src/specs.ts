import type { ResolvedBusConfig, ResolvedConsumeOptions } from "./config.ts";
import type { BusNames } from "./naming.ts";
import type { ConsumerSpec, StreamSpec } from "./transport.ts";
import type { BusStreamKind } from "./types.ts";

/** The configuration of one of the bus's streams. */
export function streamSpec(
  names: BusNames,
  config: ResolvedBusConfig,
  kind: BusStreamKind | "leases",
): StreamSpec {
  const base = {
    name: names.streams[kind],
    subjects: names.streamSubjects[kind],
    replicas: config.replicas,
  };
  if (kind === "leases") {
    // One token per partition, never acknowledged, never expiring.
    return {
      ...base,
      maxAgeMs: 0,
      maxBytes: -1,
      maxMsgs: -1,
      maxMsgsPerSubject: 1,
      duplicateWindowMs: config.duplicateWindowMs,
    };
  }
  const { maxAgeMs, maxBytes, maxMsgs } = config.retention[kind];
  // JetStream refuses a duplicate window longer than the age limit.
  const duplicateWindowMs =
    maxAgeMs > 0 ? Math.min(config.duplicateWindowMs, maxAgeMs) : config.duplicateWindowMs;
  return { ...base, maxAgeMs, maxBytes, maxMsgs, maxMsgsPerSubject: -1, duplicateWindowMs };
}

/** The durable consumer of a group's partition; `max_ack_pending` is the batch size. */
export function eventConsumerSpec(
  names: BusNames,
  options: ResolvedConsumeOptions,
  partition: number,
): ConsumerSpec {
  return {
    stream: names.streams.events,
    name: names.eventConsumer(options.group, partition),
    filterSubject: names.subjects.event(partition),
    ackWaitMs: options.ackWaitMs,
    maxAckPending: options.batchSize,
  };
}

/** The consumer of a group's partition lease token: one holder at a time, for `leaseMs`. */
export function leaseConsumerSpec(
  names: BusNames,
  options: ResolvedConsumeOptions,
  partition: number,
): ConsumerSpec {
  return {
    stream: names.streams.leases,
    name: names.leaseConsumer(options.group, partition),
    filterSubject: names.lease(options.group, partition),
    ackWaitMs: options.leaseMs,
    maxAckPending: 1,
  };
}
