import type { Database } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { Batcher, countRefusal, type Logger } from "@tidings/service";
import type { SubscriptionStore } from "../subscriptions/subscription-store.ts";
import { admitConnections, liveConnections, markClosed, type Opening } from "./connection-rows.ts";

/** Timings of connection bookkeeping. */
export interface ConnectionTrackerOptions {
  /** This node's id, stored with its connections. */
  nodeId: string;
  /** How long a disconnected client's subscriptions are kept. */
  graceMs: number;
  /** How often this node marks its live connections as seen. */
  heartbeatMs: number;
  maxConnectionsPerUser: number;
}

/** The database a tracker writes to: Prisma for the occasional, the driver for the hot path. */
export type TrackerDb = Pick<Database, "prisma" | "sql">;

/**
 * Keeps the realtime_connections table true: a row per live connection, refreshed by its node's
 * heartbeat. Any node's janitor removes connections closed longer than the grace period, and those
 * of nodes that stopped beating (killed), with their subscriptions.
 *
 * Opens and closes that arrive together are written together (group commit): one statement
 * admits a batch of connections against the per-user limit and inserts them, one update marks a
 * batch of closes. The node keeps nothing per connection: its heartbeat refreshes its rows by node id.
 */
export class ConnectionTracker {
  readonly #db: TrackerDb;
  readonly #store: SubscriptionStore;
  readonly #options: ConnectionTrackerOptions;
  readonly #logger: Logger;
  // In a storm of connections, flushes at most every 10 ms: a round trip costs more than its rows.
  readonly #opens = new Batcher<Opening, true>((items) => this.#open(items), {
    maxItems: 500,
    minIntervalMs: 10,
  });
  readonly #closes = new Batcher<string, true>((ids) => this.#close(ids), { maxItems: 5_000 });
  /** Closed connections whose row could not be marked closed yet: retried with the heartbeat. */
  readonly #unclosed = new Set<string>();
  #timers: NodeJS.Timeout[] = [];

  constructor(
    db: TrackerDb,
    store: SubscriptionStore,
    options: ConnectionTrackerOptions,
    logger: Logger,
  ) {
    this.#db = db;
    this.#store = store;
    this.#options = options;
    this.#logger = logger;
  }

  /** A connection not seen for this long belongs to a dead node. */
  get #staleAfterMs(): number {
    return this.#options.heartbeatMs * 3;
  }

  /** Records a new connection; a user over the cluster-wide limit is refused with `LIMIT_EXCEEDED`. */
  async open(id: string, userId: string | null, protocol: string): Promise<void> {
    await this.#opens.submit({ id, userId, protocol });
  }

  // Admits the batch in order against each user's live connections cluster-wide, the batch's own
  // earlier ones included, and inserts the admitted rows, in one statement.
  async #open(items: Opening[]): Promise<(true | Error)[]> {
    const admitted = await admitConnections(this.#db.sql, items, {
      nodeId: this.#options.nodeId,
      seenAfter: this.#seenAfter(),
      maxPerUser: this.#options.maxConnectionsPerUser,
    });
    return items.map((item) => (admitted.has(item.id) ? true : this.#overLimit()));
  }

  #overLimit(): TidingsError {
    countRefusal("connections_per_user");
    return new TidingsError(
      "LIMIT_EXCEEDED",
      `At most ${this.#options.maxConnectionsPerUser} connections per user.`,
    );
  }

  // Connections last seen before this belong to a dead node and no longer count.
  #seenAfter(): Date {
    return new Date(Date.now() - this.#staleAfterMs);
  }

  /** An anonymous connection signed in: it now counts against the user's limit. */
  async signIn(id: string, userId: string): Promise<void> {
    const live = await liveConnections(this.#db.sql, userId, this.#seenAfter());
    if (live >= this.#options.maxConnectionsPerUser) throw this.#overLimit();
    await this.#db.prisma.realtimeConnection.updateMany({ where: { id }, data: { userId } });
  }

  /** Marks a connection closed; its subscriptions go after the grace period. */
  async close(id: string): Promise<void> {
    await this.#closes.submit(id);
  }

  async #close(ids: string[]): Promise<true[]> {
    try {
      await markClosed(this.#db.sql, ids, new Date());
    } catch (error) {
      // Left open, the row would keep being refreshed and count against its user's limit.
      for (const id of ids) this.#unclosed.add(id);
      throw error;
    }
    return ids.map(() => true);
  }

  /** Removes stale connections and their subscriptions now; returns how many connections went. */
  async sweep(now = Date.now()): Promise<number> {
    const stale = await this.#db.prisma.realtimeConnection.findMany({
      where: {
        OR: [
          { disconnectedAt: { lt: new Date(now - this.#options.graceMs) } },
          { disconnectedAt: null, lastSeenAt: { lt: new Date(now - this.#staleAfterMs) } },
        ],
      },
      select: { id: true, subscriptions: { select: { id: true } } },
      take: 1_000,
    });
    if (stale.length === 0) return 0;
    await this.#store.remove(
      stale.flatMap((connection) => connection.subscriptions.map((s) => s.id)),
    );
    await this.#db.prisma.realtimeConnection.deleteMany({
      where: { id: { in: stale.map((c) => c.id) } },
    });
    return stale.length;
  }

  async #beat(): Promise<void> {
    // Closes that failed are retried first; failing again (they are kept for the next beat), they
    // must not keep this node's live connections from being refreshed.
    let failure: unknown;
    if (this.#unclosed.size > 0) {
      const ids = [...this.#unclosed];
      this.#unclosed.clear();
      await this.#close(ids).catch((error: unknown) => {
        failure = error;
      });
    }
    await this.#db.prisma.realtimeConnection.updateMany({
      where: { nodeId: this.#options.nodeId, disconnectedAt: null },
      data: { lastSeenAt: new Date() },
    });
    if (failure) throw failure;
  }

  start(): void {
    const every = (ms: number, task: () => Promise<unknown>, what: string) =>
      setInterval(
        () =>
          task().catch((error) => this.#logger.warn({ err: error }, `connections: ${what} failed`)),
        ms,
      ).unref();
    this.#timers = [
      every(this.#options.heartbeatMs, () => this.#beat(), "heartbeat"),
      every(
        Math.max(1_000, Math.min(this.#options.graceMs, this.#options.heartbeatMs)),
        () => this.sweep(),
        "sweep",
      ),
    ];
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }
}
