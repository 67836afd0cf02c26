/** The two feeds of the benchmark, as collections of the records service. */
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
};

/** The broadcast feed: everyone signed in sees every record. */
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

/** The per-user feed's subscription filter (its list rule adds the owner condition). */
export const FEED_FILTER = "status = 'active'";

/** Which feed a step writes to. */
export type FeedName = "feed" | "news";

/** Who serves a step's clients: the Tidings cluster, or the plain Socket.IO baseline server. */
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

/** One write of a step, as the writer sent it. */
export interface WriteEntry {
  /** Position in the step (the record's `n`). */
  n: number;
  /** Index of the owner in the user list (for `news`, the writing user). */
  owner: number;
  /** `status = 'active'` (always true for `news`). */
  active: boolean;
  /** The REST call answered 201. */
  ok: boolean;
}

/** Whether user `user` may receive write `write` of `feed`: the rule and filter, re-stated. */
export function allowed(feed: FeedName, write: WriteEntry, user: number): boolean {
  return feed === "news" || (write.owner === user && write.active);
}
