import type { PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import type { Logger } from "@tidings/service";
import type { SubscriptionStore } from "../subscriptions/subscription-store.ts";

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

/**
 * Keeps the realtime_connections table true: a row per live connection, refreshed by its node's
 * heartbeat. Any node's janitor removes connections closed longer than the grace period, and those
 * of nodes that stopped beating (killed), with their subscriptions.
 */
export class ConnectionTracker {
  readonly #prisma: PrismaClient;
  readonly #store: SubscriptionStore;
  readonly #options: ConnectionTrackerOptions;
  readonly #logger: Logger;
  readonly #live = new Set<string>();
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
    if (userId !== null) await this.#checkUserLimit(userId);
    await this.#prisma.realtimeConnection.create({
      data: { id, userId, nodeId: this.#options.nodeId, protocol },
    });
    this.#live.add(id);
  }

  // Counts the user's live connections cluster-wide (a dead node's stop counting once stale).
  async #checkUserLimit(userId: string): Promise<void> {
    const live = await this.#prisma.realtimeConnection.count({
      where: {
        userId,
        disconnectedAt: null,
        lastSeenAt: { gt: new Date(Date.now() - this.#staleAfterMs) },
      },
    });
    if (live >= this.#options.maxConnectionsPerUser) {
      throw new TidingsError(
        "LIMIT_EXCEEDED",
        `At most ${this.#options.maxConnectionsPerUser} connections per user.`,
      );
    }
  }

  /** An anonymous connection signed in: it now counts against the user's limit. */
  async signIn(id: string, userId: string): Promise<void> {
    await this.#checkUserLimit(userId);
    await this.#prisma.realtimeConnection.updateMany({ where: { id }, data: { userId } });
  }

  /** Marks a connection closed; its subscriptions go after the grace period. */
  async close(id: string): Promise<void> {
    this.#live.delete(id);
    await this.#prisma.realtimeConnection.updateMany({
      where: { id },
      data: { disconnectedAt: new Date() },
    });
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
    if (this.#live.size === 0) return;
    await this.#prisma.realtimeConnection.updateMany({
      where: { id: { in: [...this.#live] } },
      data: { lastSeenAt: new Date() },
    });
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
