import type { StoredMessage } from "../transport.ts";

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * A message as a memory stream holds it: the time as a number and the headers as given, turned
 * into the `Date` and header record a reader sees only when read. A long history is then a few
 * objects per message rather than several, which keeps garbage collection flat as it grows.
 */
export class StoredEntry implements StoredMessage {
  /** Dropped by the per-subject limit while older messages of other subjects are still held. */
  removed = false;

  constructor(
    /** The subject string the stream already holds, shared by all of the subject's messages. */
    readonly subject: string,
    readonly seq: number,
    readonly data: Uint8Array,
    readonly msgId: string | undefined,
    readonly given: Readonly<Record<string, string>>,
    /** Epoch milliseconds when stored. */
    readonly at: number,
    /** Bytes counted against the stream's size limit. */
    readonly size: number,
  ) {}

  /** Headers as published, plus `Nats-Msg-Id` when a msgId was given. */
  get headers(): Record<string, string> {
    return this.msgId === undefined
      ? { ...this.given }
      : { ...this.given, "Nats-Msg-Id": this.msgId };
  }

  get time(): Date {
    return new Date(this.at);
  }

  /** Header record to keep for `headers`: one shared empty record when there are none. */
  static keep(headers: Record<string, string>): Readonly<Record<string, string>> {
    for (const _ in headers) return { ...headers };
    return NO_HEADERS;
  }
}
