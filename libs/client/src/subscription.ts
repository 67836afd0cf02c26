import { callSafely } from "./emitter.ts";
import type { TidingsError } from "./errors.ts";
import type { ChangePayload, SubscribableAction, SubscribeMessage } from "./wire.ts";

/** A record as `left` carries it: the subscriber may no longer see its content. */
export interface RecordRef {
  id: string;
  collectionId: string;
  collectionName: string;
}

/** One change delivered to a subscription. */
export type Change<T = Record<string, unknown>> = {
  channel: string;
  /** Position in the change stream; increases per collection, with gaps. */
  seq: number;
  /** Commit time, ISO 8601. */
  at: string;
} & (
  | { action: "created" | "deleted" | "entered"; record: T }
  | { action: "updated"; record: T; oldRecord?: T }
  | { action: "left"; record: RecordRef }
);

/** What to subscribe to, besides the collection and record. */
export interface SubscribeOptions {
  /** A filter in the rule language (docs/filter.md); only matching records are delivered. */
  filter?: string;
  /** The changes wanted; `entered` and `left` count as `updated`. @default all */
  events?: SubscribableAction[];
  /** The fields wanted (system fields are always there). @default all visible fields */
  select?: string[];
  /**
   * Changes may have been missed (the history to resume from is gone, or no position was known
   * yet): refetch what you show. The subscription itself goes on with live changes.
   */
  onResync?: (error: TidingsError) => void;
  /** The subscription ended because the server refused to re-establish it (e.g. `FORBIDDEN`). */
  onError?: (error: TidingsError) => void;
}

/** A live subscription. */
export interface Subscription {
  readonly collection: string;
  /** `*` for the whole collection, or a record id. */
  readonly target: string;
  /** The server's id of the subscription; changes when it is re-established. */
  readonly id: string | undefined;
  readonly channel: string | undefined;
  /** The last change delivered (or known to be covered by a resume). */
  readonly lastSeq: number | undefined;
  readonly active: boolean;
  /** Stops deliveries at once, then tells the server. */
  unsubscribe(): Promise<void>;
}

/**
 * The client side of one subscription: what to send to (re-)establish it, and delivery in `seq`
 * order with de-duplication (a change at or below the last delivered `seq` was seen already).
 */
export class LiveSubscription<T = Record<string, unknown>> implements Subscription {
  readonly collection: string;
  readonly target: string;
  readonly #options: SubscribeOptions;
  readonly #handler: (change: Change<T>) => void;
  readonly #stop: (sub: LiveSubscription<T>) => Promise<void>;
  id: string | undefined;
  channel: string | undefined;
  lastSeq: number | undefined;
  active = true;
  /** Whether the server ever acknowledged it (before that, nothing can have been missed). */
  established = false;

  constructor(
    collection: string,
    target: string,
    handler: (change: Change<T>) => void,
    options: SubscribeOptions,
    stop: (sub: LiveSubscription<T>) => Promise<void>,
  ) {
    this.collection = collection;
    this.target = target;
    this.#handler = handler;
    this.#options = options;
    this.#stop = stop;
  }

  /** The `subscribe` message, resuming after `lastSeq` when there is one. */
  message(): SubscribeMessage {
    const { filter, events, select } = this.#options;
    return {
      collection: this.collection,
      ...(this.target === "*" ? {} : { recordId: this.target }),
      ...(filter === undefined ? {} : { filter }),
      ...(events === undefined ? {} : { events }),
      ...(select === undefined ? {} : { select }),
      ...(this.lastSeq === undefined ? {} : { resumeFrom: this.lastSeq }),
    };
  }

  /** Hands a change to the application unless it was delivered already. */
  deliver(change: ChangePayload): void {
    if (!this.active || (this.lastSeq !== undefined && change.seq <= this.lastSeq)) return;
    this.lastSeq = change.seq;
    callSafely(() => this.#handler(change as Change<T>));
  }

  /** Everything up to `seq` is covered (a resume replayed it): later duplicates are dropped. */
  coveredThrough(seq: number): void {
    if (this.lastSeq === undefined || seq > this.lastSeq) this.lastSeq = seq;
  }

  resync(error: TidingsError): void {
    this.lastSeq = undefined;
    const onResync = this.#options.onResync;
    if (onResync) callSafely(() => onResync(error));
  }

  fail(error: TidingsError): void {
    this.active = false;
    const onError = this.#options.onError;
    if (onError) callSafely(() => onError(error));
  }

  unsubscribe(): Promise<void> {
    return this.#stop(this);
  }
}
