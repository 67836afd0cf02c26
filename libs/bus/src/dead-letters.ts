import { DLQ_HEADERS } from "./dead-letter.ts";
import { BusUnavailableError, UnknownSubjectError } from "./errors.ts";
import type { BusNames } from "./naming.ts";
import { toRecord } from "./records.ts";
import type { StoredMessage, Transport } from "./transport.ts";
import type { DeadLetters, ParkedMessage, PublishAck } from "./types.ts";

/**
 * Most parked messages read per round trip while counting past the ones before a page (they are
 * read whole, up to the server's `max_payload` each, and thrown away).
 */
const SKIP_CHUNK = 100;

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DLQ_HEADERS));

/** What the dead-letter operations work on. */
export interface DeadLetterDeps {
  transport: Transport;
  names: BusNames;
  publishTimeoutMs: number;
  /** Throws unless the bus is running. */
  assertRunning(): void;
}

const whole = (value: string | undefined): number => {
  const number = Number(value);
  return Number.isSafeInteger(number) && number >= 0 ? number : 0;
};

/** A stored dead letter with what its headers (written by `parkMessage`) say. */
function parked(message: StoredMessage): ParkedMessage {
  const { headers, subject } = message;
  return {
    ...toRecord(message),
    partition: whole(subject.slice(subject.lastIndexOf(".") + 1)),
    originalSubject: headers[DLQ_HEADERS.subject] ?? "",
    originalSeq: whole(headers[DLQ_HEADERS.seq]),
    deliveries: whole(headers[DLQ_HEADERS.deliveries]),
    reason: headers[DLQ_HEADERS.reason] ?? "",
    originalMsgId: headers[DLQ_HEADERS.msgId],
  };
}

/** The headers the message was first published with (trace context included). */
function originalHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (!DLQ_HEADER_NAMES.has(key) && !key.toLowerCase().startsWith("nats-")) out[key] = value;
  }
  return out;
}

/** The dead-letter stream's operations on top of the transport, the same for both buses. */
export function createDeadLetters(deps: DeadLetterDeps): DeadLetters {
  const { transport, names, publishTimeoutMs, assertRunning } = deps;
  const stream = names.streams.dlq;
  // Every partition's dead-letter subject.
  const [everyPartition] = names.streamSubjects.dlq as [string];

  /** Up to `limit` stream sequences of parked messages from `from` on, read in chunks. */
  const seqsFrom = async (from: number, limit: number): Promise<number[]> => {
    const seqs: number[] = [];
    while (seqs.length < limit) {
      const want = Math.min(SKIP_CHUNK, limit - seqs.length);
      const batch = await transport.read(stream, everyPartition, from, want);
      for (const message of batch) seqs.push(message.seq);
      const last = batch.at(-1);
      if (!last || batch.length < want) break;
      from = last.seq + 1;
    }
    return seqs;
  };

  /**
   * The stream sequence to read the page at `offset` from; undefined when `offset` is at or past
   * the end. Without gaps (a parked message retried or dropped, between the first and the last)
   * it is computed from the first sequence. With gaps, the messages on the shorter side of the
   * offset are read (and thrown away) to place it, since the transport cannot count a range.
   */
  const pageStart = async (offset: number): Promise<number | undefined> => {
    const { firstSeq, lastSeq, messages } = await transport.streamState(stream);
    if (offset >= messages) return undefined;
    const gaps = lastSeq - firstSeq + 1 - messages;
    // The message at `offset` is at or after `firstSeq + offset`, by at most `gaps`.
    const lowest = firstSeq + offset;
    if (gaps <= 0) return lowest;
    if (offset <= messages - offset + gaps) {
      // From the front: count `offset` messages; once every gap is passed, compute the rest.
      let from = firstSeq;
      let skip = offset;
      let unseen = gaps;
      while (skip > 0 && unseen > 0) {
        const want = Math.min(skip, SKIP_CHUNK);
        const seqs = await seqsFrom(from, want);
        const last = seqs.at(-1);
        // Fewer than asked for: the stream ends before `offset` (messages went meanwhile).
        if (last === undefined || seqs.length < want) return undefined;
        unseen -= last - from + 1 - seqs.length;
        skip -= seqs.length;
        from = last + 1;
      }
      return from + skip;
    }
    // From the back: the messages at or after `lowest` tell how many come before it.
    const tail = await seqsFrom(lowest, Number.MAX_SAFE_INTEGER);
    const before = messages - tail.length;
    return tail[Math.max(0, offset - before)];
  };

  // `<prefix>.events.<partition>`: what the events stream stores and a partition consumer reads.
  const eventsHead = names.subjects.events.slice(0, -1);
  const isEventSubject = (subject: string): boolean =>
    subject.startsWith(eventsHead) && /^(0|[1-9]\d*)$/.test(subject.slice(eventsHead.length));

  const get = async (seq: number): Promise<ParkedMessage | undefined> => {
    assertRunning();
    const message = await transport.getMessage(stream, seq);
    return message && parked(message);
  };

  return {
    async count() {
      assertRunning();
      return (await transport.streamState(stream)).messages;
    },

    async list(offset, limit) {
      assertRunning();
      if (limit <= 0) return [];
      const from = await pageStart(Math.max(0, offset));
      if (from === undefined) return [];
      return (await transport.read(stream, everyPartition, from, limit)).map(parked);
    },

    get,

    // Publish, then delete: the other order would lose the event if the publish failed.
    async retry(seq): Promise<PublishAck | undefined> {
      // The existence check, right before the publish (nothing is awaited between them): a
      // message a concurrent drop or retry removed is not republished.
      const message = await get(seq);
      if (!message) return undefined;
      if (!isEventSubject(message.originalSubject))
        throw new UnknownSubjectError(message.originalSubject);
      if (!transport.connected) {
        throw new BusUnavailableError("retry", { cause: new Error("not connected to the server") });
      }
      const ack = await transport.publish(message.originalSubject, message.data, {
        msgId: `${stream}:${seq}:retry`,
        headers: originalHeaders(message.headers),
        timeoutMs: publishTimeoutMs,
      });
      // False when a concurrent retry (whose publish this one duplicated) or a drop that came
      // after the check removed it first. The event is republished either way, once: the ack
      // says so, rather than "no such message".
      await transport.deleteMessage(stream, seq);
      return ack;
    },

    async drop(seq) {
      assertRunning();
      return transport.deleteMessage(stream, seq);
    },
  };
}
