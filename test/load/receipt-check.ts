import { allowed, type FeedName, type WriteEntry } from "./workload.ts";

/** Correctness counts of a step, over clients. */
export interface ReceiptCounts {
  /** Deliveries the clients should have had: allowed to them, and the write acknowledged. */
  expected: number;
  /** Expected deliveries that never arrived. */
  missing: number;
  /** Second and later arrivals of the same write at the same client. */
  duplicate: number;
  /** Arrivals the client was not allowed to see (another owner's record, or a draft). */
  leaked: number;
  /** Allowed arrivals of a write whose REST call failed (it committed after all). */
  unconfirmed: number;
}

/**
 * Checks what each client received against the writes of the step: the expected set of a client
 * is every acknowledged write its user is allowed to see (`allowed`: the rule and filter).
 */
export function receiptCheck(
  feed: FeedName,
  writes: WriteEntry[],
  clients: { user: number; receipts: number[] }[],
): ReceiptCounts {
  const byN = new Map(writes.map((write) => [write.n, write]));
  const counts: ReceiptCounts = {
    expected: 0,
    missing: 0,
    duplicate: 0,
    leaked: 0,
    unconfirmed: 0,
  };
  // Per-user writes are few per client: index them by owner instead of scanning them all.
  const byOwner = new Map<number, WriteEntry[]>();
  for (const write of writes) {
    const list = byOwner.get(write.owner) ?? [];
    list.push(write);
    byOwner.set(write.owner, list);
  }
  const acknowledged = writes.filter((write) => write.ok).length;
  for (const { user, receipts } of clients) {
    const seen = new Set<number>();
    for (const n of receipts) {
      if (seen.has(n)) {
        counts.duplicate += 1;
        continue;
      }
      seen.add(n);
      const write = byN.get(n);
      if (!write || !allowed(feed, write, user)) counts.leaked += 1;
      else if (!write.ok) counts.unconfirmed += 1;
    }
    if (feed === "news") {
      counts.expected += acknowledged;
      for (const write of writes) if (write.ok && !seen.has(write.n)) counts.missing += 1;
      continue;
    }
    for (const write of byOwner.get(user) ?? []) {
      if (!write.ok || !allowed(feed, write, user)) continue;
      counts.expected += 1;
      if (!seen.has(write.n)) counts.missing += 1;
    }
  }
  return counts;
}
