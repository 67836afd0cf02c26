import { ExpectationFailedError } from "../errors.ts";
import type { StoredMessage, StreamSpec, StreamState } from "../transport.ts";
import { subjectMatches } from "./subject-match.ts";

const encoder = new TextEncoder();
const OVERHEAD = 22;

interface Entry extends StoredMessage {
  size: number;
}

/** One stream held in memory, with JetStream's sequence, de-duplication and limits semantics. */
export class MemoryStream {
  #spec: StreamSpec;
  readonly #now: () => number;
  #entries: Entry[] = [];
  #lastSeq = 0;
  #lastMsgId: string | undefined;
  #bytes = 0;
  readonly #msgIds = new Map<string, { seq: number; at: number }>();
  readonly #listeners = new Set<() => void>();

  constructor(spec: StreamSpec, now: () => number) {
    this.#spec = spec;
    this.#now = now;
  }

  get spec(): StreamSpec {
    return this.#spec;
  }

  update(spec: StreamSpec): void {
    this.#spec = spec;
    this.prune();
  }

  stores(subject: string): boolean {
    return this.#spec.subjects.some((pattern) => subjectMatches(pattern, subject));
  }

  append(
    subject: string,
    data: Uint8Array,
    headers: Record<string, string>,
    msgId?: string,
    expect: {
      expectLastSubjectSeq?: number | undefined;
      expectLastMsgId?: string | undefined;
    } = {},
  ): { seq: number; duplicate: boolean } {
    const { expectLastSubjectSeq, expectLastMsgId } = expect;
    this.prune();
    if (msgId !== undefined) {
      const seen = this.#msgIds.get(msgId);
      if (seen) return { seq: seen.seq, duplicate: true };
    }
    if (expectLastSubjectSeq !== undefined) {
      const last = this.#lastOfSubject(subject);
      if (last !== expectLastSubjectSeq) {
        throw new ExpectationFailedError(`wrong last sequence: ${last}`);
      }
    }
    if (expectLastMsgId !== undefined && expectLastMsgId !== this.#lastMsgId) {
      throw new ExpectationFailedError(`wrong last msg ID: ${this.#lastMsgId ?? ""}`);
    }
    const seq = ++this.#lastSeq;
    const stored = msgId === undefined ? { ...headers } : { ...headers, "Nats-Msg-Id": msgId };
    let size = OVERHEAD + subject.length + data.byteLength;
    for (const [key, value] of Object.entries(stored))
      size += encoder.encode(key + value).length + 4;
    const now = this.#now();
    this.#entries.push({ subject, seq, data, headers: stored, time: new Date(now), size });
    this.#bytes += size;
    if (msgId !== undefined) this.#msgIds.set(msgId, { seq, at: now });
    // Like JetStream, the last msgId outlives the message itself (limits may drop it).
    this.#lastMsgId = msgId;
    if (this.#spec.maxMsgsPerSubject > 0) this.#limitSubject(subject);
    this.prune();
    for (const listener of this.#listeners) listener();
    return { seq, duplicate: false };
  }

  /** Applies the age, count and size limits and forgets msgIds older than the window. */
  prune(): void {
    const now = this.#now();
    const { maxAgeMs, maxMsgs, maxBytes, duplicateWindowMs } = this.#spec;
    let drop = 0;
    while (drop < this.#entries.length) {
      const entry = this.#entries[drop]!;
      const tooOld = maxAgeMs > 0 && entry.time.getTime() <= now - maxAgeMs;
      const tooMany = maxMsgs > 0 && this.#entries.length - drop > maxMsgs;
      const tooBig = maxBytes > 0 && this.#bytes > maxBytes;
      if (!tooOld && !tooMany && !tooBig) break;
      this.#bytes -= entry.size;
      drop++;
    }
    if (drop > 0) this.#entries = this.#entries.slice(drop);
    for (const [id, seen] of this.#msgIds) {
      if (seen.at > now - duplicateWindowMs) break;
      this.#msgIds.delete(id);
    }
  }

  /** The first message with sequence >= `seq` whose subject matches `filter`. */
  nextFrom(seq: number, filter: string): StoredMessage | undefined {
    this.prune();
    for (let i = this.#indexOf(seq); i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (subjectMatches(filter, entry.subject)) return entry;
    }
    return undefined;
  }

  /** Message `seq`, while it is retained. */
  get(seq: number): StoredMessage | undefined {
    const entry = this.#entries[this.#indexOf(seq)];
    return entry?.seq === seq ? entry : undefined;
  }

  /** Up to `limit` messages on `filter` with sequence >= `fromSeq`. */
  range(fromSeq: number, filter: string, limit: number): StoredMessage[] {
    this.prune();
    const out: StoredMessage[] = [];
    for (let i = this.#indexOf(fromSeq); i < this.#entries.length && out.length < limit; i++) {
      const entry = this.#entries[i]!;
      if (subjectMatches(filter, entry.subject)) out.push(entry);
    }
    return out;
  }

  /** Number of retained messages on `filter` with sequence >= `fromSeq`. */
  count(fromSeq: number, filter: string): number {
    let n = 0;
    for (let i = this.#indexOf(fromSeq); i < this.#entries.length; i++) {
      if (subjectMatches(filter, this.#entries[i]!.subject)) n++;
    }
    return n;
  }

  state(): StreamState {
    this.prune();
    const first = this.#entries[0]?.seq ?? (this.#lastSeq === 0 ? 0 : this.#lastSeq + 1);
    return {
      firstSeq: first,
      lastSeq: this.#lastSeq,
      messages: this.#entries.length,
      bytes: this.#bytes,
      spec: this.#spec,
    };
  }

  /** Calls `listener` after every append; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #indexOf(seq: number): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#entries[mid]!.seq < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #lastOfSubject(subject: string): number {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      if (this.#entries[i]!.subject === subject) return this.#entries[i]!.seq;
    }
    return 0;
  }

  #limitSubject(subject: string): void {
    const indexes: number[] = [];
    this.#entries.forEach((entry, i) => {
      if (entry.subject === subject) indexes.push(i);
    });
    const excess = indexes.length - this.#spec.maxMsgsPerSubject;
    if (excess <= 0) return;
    const remove = new Set(indexes.slice(0, excess));
    for (const i of remove) this.#bytes -= this.#entries[i]!.size;
    this.#entries = this.#entries.filter((_, i) => !remove.has(i));
  }
}
