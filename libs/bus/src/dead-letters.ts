import { DLQ_HEADERS } from "./dead-letter.ts";
import { BusUnavailableError, UnknownSubjectError } from "./errors.ts";
import type { BusNames } from "./naming.ts";
import { toRecord } from "./records.ts";
import type { StoredMessage, Transport } from "./transport.ts";
import type { DeadLetters, ParkedMessage, PublishAck } from "./types.ts";

/** Parked messages read per round trip while paging through the dead-letter stream. */
const READ_CHUNK = 1_000;

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

    // Sequences have gaps once messages are dropped, so an offset is counted, not computed.
    async list(offset, limit) {
      assertRunning();
      const out: ParkedMessage[] = [];
      let skip = Math.max(0, offset);
      let from = 1;
      while (out.length < limit) {
        const want = Math.min(READ_CHUNK, skip + limit - out.length);
        const batch = await transport.read(stream, everyPartition, from, want);
        for (const message of batch) {
          if (skip > 0) skip--;
          else if (out.length < limit) out.push(parked(message));
        }
        const last = batch.at(-1);
        if (!last || batch.length < want) break;
        from = last.seq + 1;
      }
      return out;
    },

    get,

    async retry(seq): Promise<PublishAck | undefined> {
      const message = await get(seq);
      if (!message) return undefined;
      if (names.streamOf(message.originalSubject) !== "events")
        throw new UnknownSubjectError(message.originalSubject);
      if (!transport.connected) {
        throw new BusUnavailableError("retry", { cause: new Error("not connected to the server") });
      }
      const ack = await transport.publish(message.originalSubject, message.data, {
        msgId: `${stream}:${seq}:retry`,
        headers: originalHeaders(message.headers),
        timeoutMs: publishTimeoutMs,
      });
      await transport.deleteMessage(stream, seq);
      return ack;
    },

    async drop(seq) {
      assertRunning();
      return transport.deleteMessage(stream, seq);
    },
  };
}
