import { ExpectationFailedError } from "../errors.ts";
import type { StoredMessage, StreamSpec, StreamState } from "../transport.ts";
import { DuplicateWindow } from "./duplicate-window.ts";
import { SeqQueue } from "./seq-queue.ts";
import { StoredEntry as Entry } from "./stored-entry.ts";
import { SubjectLogs } from "./subject-logs.ts";
import { subjectMatches } from "./subject-match.ts";

const OVERHEAD = 22;

/**
 * One stream held in memory, with JetStream's sequence, de-duplication and limits semantics.
 * Messages are kept twice, by reference: in one queue in stream order (retention trims its front)
 * and in a queue per subject (filtered reads, counts, per-subject limits), so no operation walks
 * the retained history.
 */
export class MemoryStream {
  #spec: StreamSpec;
  readonly #now: () => number;
  readonly #all = new SeqQueue<Entry>();
  readonly #subjects = new SubjectLogs<Entry>();
  /** Messages held, not counting those marked removed. */
  #count = 0;
  #removed = 0;
  #lastSeq = 0;
  #lastMsgId: string | undefined;
  #bytes = 0;
  readonly #msgIds = new DuplicateWindow();
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
      const seen = this.#msgIds.seqOf(msgId);
      if (seen !== undefined) return { seq: seen, duplicate: true };
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
    let size = OVERHEAD + subject.length + data.byteLength;
    for (const key in headers) size += Buffer.byteLength(key + headers[key]) + 4;
    if (msgId !== undefined) size += Buffer.byteLength(`Nats-Msg-Id${msgId}`) + 4;
    const now = this.#now();
    const log = this.#subjects.logOf(subject);
    const entry = new Entry(log.subject, seq, data, msgId, Entry.keep(headers), now, size);
    this.#all.push(entry);
    log.push(entry);
    this.#count++;
    this.#bytes += size;
    if (msgId !== undefined) this.#msgIds.remember(msgId, seq, now);
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
    for (let entry = this.#all.first(); entry; entry = this.#all.first()) {
      if (entry.removed) {
        this.#all.shift();
        this.#removed--;
        continue;
      }
      const tooOld = maxAgeMs > 0 && entry.at <= now - maxAgeMs;
      const tooMany = maxMsgs > 0 && this.#count > maxMsgs;
      const tooBig = maxBytes > 0 && this.#bytes > maxBytes;
      if (!tooOld && !tooMany && !tooBig) break;
      this.#all.shift();
      // The stream's oldest message is also the oldest of its subject.
      this.#subjects.logOf(entry.subject).shift();
      this.#forget(entry);
    }
    this.#msgIds.expire(now - duplicateWindowMs);
  }

  /** The first message with sequence >= `seq` whose subject matches `filter`. */
  nextFrom(seq: number, filter: string): StoredMessage | undefined {
    this.prune();
    return this.#subjects.from(this.#subjects.matching(filter), seq).next().value;
  }

  /** Message `seq`, while it is retained. */
  get(seq: number): StoredMessage | undefined {
    const entry = this.#all.at(this.#all.rank(seq));
    return entry?.seq === seq && !entry.removed ? entry : undefined;
  }

  /** Removes message `seq`; false when the stream does not hold it. */
  delete(seq: number): boolean {
    this.prune();
    const entry = this.#all.at(this.#all.rank(seq));
    if (entry?.seq !== seq || entry.removed) return false;
    this.#subjects.logOf(entry.subject).remove(seq);
    this.#markRemoved(entry);
    this.prune();
    return true;
  }

  /** Up to `limit` messages on `filter` with sequence >= `fromSeq`. */
  range(fromSeq: number, filter: string, limit: number): StoredMessage[] {
    this.prune();
    const out: StoredMessage[] = [];
    if (limit <= 0) return out;
    for (const entry of this.#subjects.from(this.#subjects.matching(filter), fromSeq)) {
      out.push(entry);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Number of retained messages on `filter` with sequence >= `fromSeq`. */
  count(fromSeq: number, filter: string): number {
    let n = 0;
    for (const log of this.#subjects.matching(filter)) n += log.size - log.rank(fromSeq);
    return n;
  }

  state(): StreamState {
    this.prune();
    const first = this.#all.first()?.seq ?? (this.#lastSeq === 0 ? 0 : this.#lastSeq + 1);
    return {
      firstSeq: first,
      lastSeq: this.#lastSeq,
      messages: this.#count,
      bytes: this.#bytes,
      spec: this.#spec,
    };
  }

  /** Calls `listener` after every append; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #forget(entry: Entry): void {
    this.#count--;
    this.#bytes -= entry.size;
  }

  #lastOfSubject(subject: string): number {
    return this.#subjects.existing(subject)?.last()?.seq ?? 0;
  }

  // The subject's oldest messages go.
  #limitSubject(subject: string): void {
    const log = this.#subjects.logOf(subject);
    while (log.size > this.#spec.maxMsgsPerSubject) this.#markRemoved(log.shift() as Entry);
  }

  // A message gone from its subject's queue is only marked in the stream-order queue; the marks
  // are swept out when they reach its front or outnumber the messages still held.
  #markRemoved(entry: Entry): void {
    entry.removed = true;
    this.#removed++;
    this.#forget(entry);
    if (this.#removed > 64 && this.#removed > this.#count) {
      this.#all.retain((held) => !held.removed);
      this.#removed = 0;
    }
  }
}
