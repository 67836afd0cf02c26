import { BusConfigError } from "./errors.ts";
import type { BusStreamKind, BusSubjects } from "./types.ts";

const encoder = new TextEncoder();
const TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * Partition of a collection: FNV-1a (32 bit) of its UTF-8 name, modulo `partitions`. Stable
 * across processes, releases and platforms, since publishers and consumers must agree on it.
 */
export function partitionOf(collection: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(collection)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

/** Every subject and stream name a bus uses, derived from its prefix. */
export interface BusNames {
  readonly subjects: BusSubjects;
  readonly streams: Readonly<Record<BusStreamKind | "leases", string>>;
  /** Subject of the lease token of a consumer group's partition. */
  lease(group: string, partition: number): string;
  /** Subject a consumer group's replicas announce themselves on. */
  members(group: string): string;
  /** Subject of the fire-and-forget notices on `topic`. */
  notice(topic: string): string;
  /** Durable consumer of a group's partition in the events stream. */
  eventConsumer(group: string, partition: number): string;
  /** Durable consumer of a group's partition lease in the leases stream. */
  leaseConsumer(group: string, partition: number): string;
  /** The stream a concrete or wildcard subject belongs to, if any. */
  streamOf(subject: string): BusStreamKind | undefined;
  /** Subjects each stream stores. */
  readonly streamSubjects: Readonly<Record<BusStreamKind | "leases", string[]>>;
}

/** Checks a subject prefix: dot-separated tokens of letters, digits, `_` and `-`. */
export function checkPrefix(prefix: string): void {
  if (!prefix.split(".").every((token) => TOKEN.test(token))) {
    throw new BusConfigError(
      `prefix ${JSON.stringify(prefix)} must be dot-separated [A-Za-z0-9_-] tokens`,
    );
  }
}

/** Checks a consumer group name: one token of letters, digits, `_` and `-`. */
export function checkGroup(group: string): void {
  if (!TOKEN.test(group)) {
    throw new BusConfigError(`group ${JSON.stringify(group)} must match [A-Za-z0-9_-]+`);
  }
}

/**
 * Names for `prefix` with `partitions` partitions. Stream names are the prefix upper-cased with
 * dots turned into `_`, so each prefix (one per test, one per deployment) has its own streams.
 */
export function busNames(prefix: string, partitions: number): BusNames {
  checkPrefix(prefix);
  const base = prefix.replace(/[^A-Za-z0-9_-]/g, "_").toUpperCase();
  const streams = {
    events: `${base}_EVENTS`,
    subs: `${base}_SUBS`,
    dlq: `${base}_DLQ`,
    leases: `${base}_LEASES`,
  };
  const subjects: BusSubjects = {
    prefix,
    event: (partition) => `${prefix}.events.${partition}`,
    eventFor: (collection) => `${prefix}.events.${partitionOf(collection, partitions)}`,
    events: `${prefix}.events.*`,
    dlq: (partition) => `${prefix}.dlq.${partition}`,
    subs: `${prefix}.subs`,
  };
  const streamSubjects = {
    events: [`${prefix}.events.*`],
    subs: [`${prefix}.subs`, `${prefix}.subs.>`],
    dlq: [`${prefix}.dlq.*`],
    leases: [`${prefix}.leases.>`],
  };
  return {
    subjects,
    streams,
    streamSubjects,
    lease: (group, partition) => `${prefix}.leases.${group}.${partition}`,
    members: (group) => `${prefix}.members.${group}`,
    notice(topic) {
      if (!TOKEN.test(topic))
        throw new BusConfigError(`notice topic ${JSON.stringify(topic)} must match [A-Za-z0-9_-]+`);
      return `${prefix}.notices.${topic}`;
    },
    eventConsumer: (group, partition) => `${group}_p${partition}`,
    leaseConsumer: (group, partition) => `${group}_lease_p${partition}`,
    streamOf(subject) {
      for (const kind of ["events", "subs", "dlq"] as const) {
        const head = `${prefix}.${kind}`;
        if (subject === head || subject.startsWith(`${head}.`)) return kind;
      }
      return undefined;
    },
  };
}
