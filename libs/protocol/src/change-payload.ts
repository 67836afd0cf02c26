/** What a subscriber can receive: the three changes, and a record entering or leaving its view. */
export const CHANGE_ACTIONS = ["created", "updated", "deleted", "entered", "left"] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/** The kinds of change a subscriber can ask for. */
export const SUBSCRIBABLE_ACTIONS = ["created", "updated", "deleted"] as const;
export type SubscribableAction = (typeof SUBSCRIBABLE_ACTIONS)[number];

/**
 * The `change` event a subscriber receives. `seq` increases per channel (it is the event's
 * position in its partition of the stream): clients drop what they have seen and resume from it.
 */
export interface ChangePayload {
  channel: string;
  action: ChangeAction;
  /** The record as the subscriber may see it; for `left`, only its id and collection. */
  record: Record<string, unknown>;
  /** For `updated`: the record before the change, as the subscriber may see it. */
  oldRecord?: Record<string, unknown>;
  seq: number;
  /** Commit time of the change, ISO 8601. */
  at: string;
}

/** Server → client event names of the realtime protocol. */
export const SERVER_EVENTS = {
  change: "change",
  /** The channel's rules changed: subscribe again (resuming from the last seq) to get the new channel. */
  resubscribe: "resubscribe",
} as const;
