/**
 * W1's collection: each user reads, changes and deletes only their own records; subscribers add
 * the filter `status = 'active'`, so an update that flips the status makes a record enter or leave
 * their view.
 */
export const FEED_COLLECTION = {
  name: "feed",
  fields: [
    { name: "owner", type: "relation", collection: "users", required: true },
    { name: "status", type: "text" },
    { name: "title", type: "text" },
    { name: "n", type: "number" },
    { name: "step", type: "number" },
    { name: "sentAt", type: "number" },
  ],
  listRule: "owner = @request.auth.id",
  viewRule: "owner = @request.auth.id",
  createRule: "owner = @request.auth.id",
  updateRule: "owner = @request.auth.id",
  deleteRule: "owner = @request.auth.id",
};

/** W2, the broadcast feed: everyone signed in sees every record. */
export const NEWS_COLLECTION = {
  name: "news",
  fields: [
    { name: "title", type: "text" },
    { name: "n", type: "number" },
    { name: "step", type: "number" },
    { name: "sentAt", type: "number" },
  ],
  listRule: "",
  viewRule: "",
  createRule: '@request.auth.id != ""',
};

/**
 * Where the single-node history step puts its filler events (internal publish API): another
 * service's data, as a long-running node would have retained beside the feeds.
 */
export const HISTORY_COLLECTION = {
  name: "history",
  type: "external",
  fields: [
    { name: "title", type: "text" },
    { name: "n", type: "number" },
  ],
  listRule: "",
  viewRule: "",
};

/** The per-user feed's subscription filter (its list rule adds the owner condition). */
export const FEED_FILTER = "status = 'active'";

/** Which feed a step writes to: W1 (`feed`) or W2 (`news`). */
export type FeedName = "feed" | "news";

/** Who serves a step's clients: Tidings, or the plain Socket.IO baseline server. */
export type Target = "tidings" | "baseline";

/** A benchmark user and its token. */
export interface BenchUser {
  id: string;
  token: string;
}

/** One client connection of a worker: the user it signs in as (by index into the user list). */
export interface ClientSpec {
  index: number;
  userId: string;
  token: string;
}

/** W1's write mix, as shares that add up to 1. */
export interface WriteMix {
  create: number;
  update: number;
  delete: number;
}

/** A record's status as the writer knows it: absent (before create, after delete), draft, active. */
export type Status = 0 | 1 | 2;
export const ABSENT: Status = 0;
export const DRAFT: Status = 1;
export const ACTIVE: Status = 2;

/** One write of a step, as the writer sent it. Kept small: a step logs tens of thousands. */
export interface WriteEntry {
  /** Position in the step. */
  n: number;
  /** `c`reate, `u`pdate or `d`elete. */
  kind: "c" | "u" | "d";
  /** The record's number in the step (its id is {@link recordId}); for `news`, equal to `n`. */
  record: number;
  /** Index of the owner in the user list (for `news`, the writing user). */
  owner: number;
  /** Status before and after the write. */
  before: Status;
  after: Status;
  /** The REST call succeeded (201, 200 or 204). */
  ok: boolean;
  /** When the write was due (clock.ts): latencies count from here. */
  dueAt: number;
}

/** The id the writer gives record `record` of step `step` (ids chosen by the client on create). */
export function recordId(step: number, record: number): string {
  return `b${step}x${record}`;
}

/** The step and record number of an id made by {@link recordId}, or undefined. */
export function parseRecordId(id: string): { step: number; record: number } | undefined {
  const match = /^b(\d+)x(\d+)$/.exec(id);
  return match ? { step: Number(match[1]), record: Number(match[2]) } : undefined;
}

/** The change actions a subscriber can receive. */
export type Action = "created" | "updated" | "deleted" | "entered" | "left";

/**
 * What the owner's subscription (`status = 'active'`) receives for a write, or null: created
 * active → `created`; updated active → active `updated`, draft → active `entered`, active → draft
 * `left`; deleted while active → `deleted`; anything that stays a draft → nothing.
 */
export function deliveryOf(write: Pick<WriteEntry, "kind" | "before" | "after">): Action | null {
  const was = write.before === ACTIVE;
  const is = write.after === ACTIVE;
  if (write.kind === "c") return is ? "created" : null;
  if (write.kind === "d") return was ? "deleted" : null;
  if (was && is) return "updated";
  if (is) return "entered";
  if (was) return "left";
  return null;
}
