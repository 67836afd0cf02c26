import { LatencyHistogram } from "./latency-histogram.ts";
import { type Action, deliveryOf, parseRecordId, type WriteEntry } from "./workload.ts";

/** Correctness counts of a step, over clients. */
export interface ReceiptCounts {
  /** Deliveries the clients should have had: allowed to them, and the write acknowledged. */
  expected: number;
  /** Expected deliveries that never arrived. */
  missing: number;
  /** Arrivals beyond the expected number of the same change at the same client. */
  duplicate: number;
  /**
   * Arrivals the client may not see: another owner's record, content outside its filter (a draft),
   * or a `left` carrying more than the record's id and collection.
   */
  leaked: number;
  /** A record's changes delivered in another order than their writes were acknowledged. */
  outOfOrder: number;
  /** Arrivals of the wrong action for a write the client may see (`updated` for an `entered`…). */
  unexpected: number;
  /** Allowed arrivals of a write whose REST call failed (it committed after all). */
  unconfirmed: number;
  /** Repeats the client dropped by `seq`, as the protocol's seam rule says (replay and live). */
  absorbed: number;
}

/** Flags of a W1 arrival, set by the client worker as it arrives. */
export const DROPPED = 1;
/** The record, or its old record, is not `active`: outside the subscription's filter. */
export const OUTSIDE_FILTER = 2;
/** A `left` that carries more than `{id, collectionId, collectionName}`. */
export const EXTRA_FIELDS = 4;

/** One W1 change as a client received it. */
export interface FeedReceipt {
  id: string;
  action: Action;
  seq: number;
  /** Arrival (clock.ts). */
  at: number;
  flags: number;
}

export const zeroCounts = (): ReceiptCounts => ({
  expected: 0,
  missing: 0,
  duplicate: 0,
  leaked: 0,
  outOfOrder: 0,
  unexpected: 0,
  unconfirmed: 0,
  absorbed: 0,
});

interface Expected {
  action: Action;
  dueAt: number;
}

/**
 * W1: per client, the exact sequence of (record, action) its user's subscription must receive
 * (see `deliveryOf`), compared record by record with what arrived. The latency of each matched
 * arrival (from its write's due time) goes to `latency`.
 */
export function feedCheck(
  writes: WriteEntry[],
  clients: { user: number; receipts: FeedReceipt[] }[],
  latency = new LatencyHistogram(),
): ReceiptCounts {
  const counts = zeroCounts();
  const owners = new Map<number, number>();
  const expected = new Map<number, Expected[]>();
  const uncertain = new Map<number, Action>();
  const recordsOf = new Map<number, number[]>();
  for (const write of writes) {
    if (!owners.has(write.record)) {
      owners.set(write.record, write.owner);
      const list = recordsOf.get(write.owner) ?? [];
      list.push(write.record);
      recordsOf.set(write.owner, list);
    }
    const action = deliveryOf(write);
    if (!action) continue;
    if (!write.ok) {
      uncertain.set(write.record, action);
      continue;
    }
    const list = expected.get(write.record) ?? [];
    list.push({ action, dueAt: write.dueAt });
    expected.set(write.record, list);
  }
  for (const { user, receipts } of clients) {
    const got = new Map<number, FeedReceipt[]>();
    for (const receipt of receipts) {
      const record = parseRecordId(receipt.id)?.record;
      if (record === undefined || owners.get(record) !== user) counts.leaked += 1;
      else if (receipt.flags & (OUTSIDE_FILTER | EXTRA_FIELDS)) counts.leaked += 1;
      else {
        const list = got.get(record);
        if (list) list.push(receipt);
        else got.set(record, [receipt]);
      }
    }
    for (const record of recordsOf.get(user) ?? []) {
      const wanted = expected.get(record) ?? [];
      const arrived = got.get(record) ?? [];
      const matched = wanted.map(() => false);
      let furthest = -1;
      for (const receipt of arrived) {
        if (receipt.flags & DROPPED) continue;
        const at = wanted.findIndex((want, i) => !matched[i] && want.action === receipt.action);
        if (at >= 0) {
          matched[at] = true;
          latency.record(receipt.at - (wanted[at] as Expected).dueAt);
          if (at < furthest) counts.outOfOrder += 1;
          furthest = Math.max(furthest, at);
        } else if (wanted.some((want) => want.action === receipt.action)) counts.duplicate += 1;
        else if (uncertain.get(record) === receipt.action) counts.unconfirmed += 1;
        else counts.unexpected += 1;
      }
      for (const receipt of arrived) {
        if (!(receipt.flags & DROPPED)) continue;
        const kept = arrived.some((r) => !(r.flags & DROPPED) && r.action === receipt.action);
        // Dropped without an earlier copy: it came after a later change of its subscription.
        if (kept) counts.absorbed += 1;
        else counts.outOfOrder += 1;
      }
      counts.expected += wanted.length;
      counts.missing += matched.filter((done) => !done).length;
    }
  }
  return counts;
}

/**
 * W2: every acknowledged write is expected once by every client. `receipts` are the `n` of the
 * changes each client kept (after dropping repeats by `seq`).
 */
export function broadcastCheck(
  writes: WriteEntry[],
  clients: { user: number; receipts: number[] }[],
): ReceiptCounts {
  const counts = zeroCounts();
  const byN = new Map(writes.map((write) => [write.n, write]));
  const acknowledged = writes.filter((write) => write.ok).length;
  for (const { receipts } of clients) {
    const seen = new Set<number>();
    for (const n of receipts) {
      if (seen.has(n)) {
        counts.duplicate += 1;
        continue;
      }
      seen.add(n);
      const write = byN.get(n);
      if (!write) counts.leaked += 1;
      else if (!write.ok) counts.unconfirmed += 1;
    }
    counts.expected += acknowledged;
    for (const write of writes) if (write.ok && !seen.has(write.n)) counts.missing += 1;
  }
  return counts;
}

/** Everything that makes a step fail. */
export const problems = (counts: ReceiptCounts) =>
  counts.missing + counts.duplicate + counts.leaked + counts.outOfOrder + counts.unexpected;
