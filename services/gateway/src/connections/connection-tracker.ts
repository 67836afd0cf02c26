import type { PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { Batcher, type Logger } from "@tidings/service";
import type { SubscriptionStore } from "../subscriptions/subscription-store.ts";
import { insertConnections, liveConnections, markClosed } from "./connection-rows.ts";

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

interface Opening {
  id: string;
  userId: string | null;
  protocol: string;
}

/**
 * Keeps the realtime_connections table true: a row per live connection, refreshed by its node's
 * heartbeat. Any node's janitor removes connections closed longer than the grace period, and those
 * of nodes that stopped beating (killed), with their subscriptions.
 *
 * Opens and closes that arrive together are written together (group commit): one grouped count
 * for the per-user limit and one multi-row insert per batch of connections, one update per batch
 * of closes. The node keeps nothing per connection: its heartbeat refreshes its rows by node id.
 */
export class ConnectionTracker {
  readonly #prisma: PrismaClient;
  readonly #store: SubscriptionStore;
  readonly #options: ConnectionTrackerOptions;
  readonly #logger: Logger;
  readonly #opens = new Batcher<Opening, true>((items) => this.#open(items), { maxItems: 500 });
  readonly #closes = new Batcher<string, true>((ids) => this.#close(ids), { maxItems: 5_000 });
  /** Closed connections whose row could not be marked closed yet: retried with the heartbeat. */
  readonly #unclosed = new Set<string>();
  #timers: NodeJS.Timeout[] = [];

  constructor(
    prisma: PrismaClient,
    store: SubscriptionStore,
    options: ConnectionTrackerOptions,
    logger: Logger,
  ) {
    this.#prisma = prisma;
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
  // earlier ones included, then inserts the admitted rows at once.
  async #open(items: Opening[]): Promise<(true | Error)[]> {
    const users = items.flatMap((item) => (item.userId === null ? [] : [item.userId]));
    const live = await this.#liveCounts(users);
    const outcomes = items.map((item): true | Error => {
      if (item.userId === null) return true;
      const count = live.get(item.userId) ?? 0;
      if (count >= this.#options.maxConnectionsPerUser) return this.#overLimit();
      live.set(item.userId, count + 1);
      return true;
    });
    const rows = items
      .filter((_, i) => outcomes[i] === true)
      .map(({ id, userId, protocol }) => ({ id, userId, protocol, nodeId: this.#options.nodeId }));
    if (rows.length > 0) await insertConnections(this.#prisma, rows);
    return outcomes;
  }

  #overLimit(): TidingsError {
    return new TidingsError(
      "LIMIT_EXCEEDED",
      `At most ${this.#options.maxConnectionsPerUser} connections per user.`,
    );
  }

  // Live connections per user, cluster-wide (a dead node's stop counting once stale).
  async #liveCounts(userIds: string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const seenAfter = new Date(Date.now() - this.#staleAfterMs);
    return liveConnections(this.#prisma, [...new Set(userIds)], seenAfter);
  }

  /** An anonymous connection signed in: it now counts against the user's limit. */
  async signIn(id: string, userId: string): Promise<void> {
    const live = await this.#liveCounts([userId]);
    if ((live.get(userId) ?? 0) >= this.#options.maxConnectionsPerUser) throw this.#overLimit();
    await this.#prisma.realtimeConnection.updateMany({ where: { id }, data: { userId } });
  }

  /** Marks a connection closed; its subscriptions go after the grace period. */
  async close(id: string): Promise<void> {
    await this.#closes.submit(id);
  }

  async #close(ids: string[]): Promise<true[]> {
    try {
      await markClosed(this.#prisma, ids, new Date());
    } catch (error) {
      // Left open, the row would keep being refreshed and count against its user's limit.
      for (const id of ids) this.#unclosed.add(id);
      throw error;
    }
    return ids.map(() => true);
  }

  /** Removes stale connections and their subscriptions now; returns how many connections went. */
  async sweep(now = Date.now()): Promise<number> {
    const stale = await this.#prisma.realtimeConnection.findMany({
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
    await this.#prisma.realtimeConnection.deleteMany({
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
    await this.#prisma.realtimeConnection.updateMany({
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
