// A client worker process: holds many bench clients (client-connection.ts), timestamps every
// change they receive, and checks what they got against the writer's log. Several run side by
// side so the client side is not the bottleneck; the orchestrator drives them through
// child-rpc.ts (see client-fleet.ts).
import { serve } from "./child-rpc.ts";
import { type ChangeMessage, Client, type ClientHost, type SubState } from "./client-connection.ts";
import { now } from "./clock.ts";
import { LatencyHistogram } from "./latency-histogram.ts";
import {
  broadcastCheck,
  DROPPED,
  EXTRA_FIELDS,
  feedCheck,
  OUTSIDE_FILTER,
} from "./receipt-check.ts";
import {
  type ClientSpec,
  type FeedName,
  recordId,
  type Target,
  type WriteEntry,
} from "./workload.ts";

const LEFT_FIELDS = new Set(["id", "collectionId", "collectionName"]);

/** The clients of one target, and what they received in the current step. */
class Fleet implements ClientHost {
  urls: string[] = [];
  readonly clients = new Map<number, Client>();
  step = -1;
  feed: FeedName = "feed";
  /** Ids of this step's W1 records start with this. */
  prefix = "";
  received = 0;
  /** Changes of another step or feed (late from an earlier step): not counted as deliveries. */
  strays = 0;
  /** W2 changes dropped by seq (a repeat, or one that came after a later change). */
  seqDropped = 0;
  firstAt = 0;
  lastAt = 0;
  /** W2 latency (W1's is measured by the check, against the writer's log). */
  latency = new LatencyHistogram();
  /** From the change's `at` (its transaction's time in PostgreSQL) to arrival. */
  pipeline = new LatencyHistogram();
  resyncs = 0;
  failures = 0;
  errors: string[] = [];

  begin(step: number, feed: FeedName): void {
    Object.assign(this, { step, feed, received: 0, strays: 0, seqDropped: 0, firstAt: 0 });
    Object.assign(this, { lastAt: 0, resyncs: 0, failures: 0, errors: [] });
    this.prefix = recordId(step, 0).slice(0, -1);
    this.latency = new LatencyHistogram();
    this.pipeline = new LatencyHistogram();
    for (const client of this.clients.values()) {
      client.feed = [];
      client.news = [];
      client.lostAt = 0;
      client.resumedAt = 0;
    }
  }

  // The hot path of the bench's client side: keep it to a few checks, a push and a bucket.
  deliver(client: Client, sub: SubState, change: ChangeMessage, at: number, dropped: boolean) {
    const { record } = change;
    if (sub.kind === "feed") {
      const id = String(record.id);
      if (!id.startsWith(this.prefix) || this.feed !== "feed") {
        this.strays += 1;
        return;
      }
      let flags = dropped ? DROPPED : 0;
      if (change.action === "left") {
        if (change.oldRecord || Object.keys(record).some((key) => !LEFT_FIELDS.has(key)))
          flags |= EXTRA_FIELDS;
      } else if (record.status !== "active" || (change.oldRecord?.status ?? "active") !== "active")
        flags |= OUTSIDE_FILTER;
      client.feed.push({ id, action: change.action, seq: change.seq, at, flags });
    } else {
      if (record.step !== this.step || this.feed !== "news") {
        this.strays += 1;
        return;
      }
      if (dropped) {
        this.seqDropped += 1;
        return;
      }
      client.news.push(record.n as number);
      this.latency.record(at - (record.sentAt as number));
    }
    if (dropped) return;
    this.pipeline.record(at - Date.parse(change.at));
    this.received += 1;
    if (this.firstAt === 0) this.firstAt = at;
    this.lastAt = at;
  }

  stray(count: number): void {
    this.strays += count;
  }

  resynced(): void {
    this.resyncs += 1;
  }

  failed(message: string): void {
    this.failures += 1;
    if (this.errors.length < 5) this.errors.push(message);
  }
}

const fleets: Record<Target, Fleet> = { tidings: new Fleet(), baseline: new Fleet() };

const handlers = {
  /**
   * Connects (and subscribes) the given clients, `concurrency` at a time, to `urls[node]` or,
   * without `node`, to `urls[index % urls.length]`; says when the first started and the last
   * was subscribed.
   */
  async connect(argument: {
    target: Target;
    urls: string[];
    clients: ClientSpec[];
    node?: number | undefined;
    concurrency: number;
  }) {
    const fleet = fleets[argument.target];
    fleet.urls = argument.urls;
    const errors: string[] = [];
    let next = 0;
    const startedAt = now();
    await Promise.all(
      Array.from({ length: argument.concurrency }, async () => {
        while (next < argument.clients.length) {
          const spec = argument.clients[next++] as ClientSpec;
          const client = new Client(spec, argument.node ?? spec.index, fleet);
          try {
            await client.open();
            fleet.clients.set(spec.index, client);
          } catch (error) {
            client.close();
            errors.push((error as Error).message);
          }
        }
      }),
    );
    return {
      connected: fleet.clients.size,
      failed: errors.length,
      errors: errors.slice(0, 5),
      startedAt,
      endedAt: now(),
    };
  },
  /** Starts counting a new step: earlier receipts are forgotten. */
  begin(argument: { target: Target; step: number; feed: FeedName }) {
    fleets[argument.target].begin(argument.step, argument.feed);
  },
  progress(argument: { target: Target }) {
    return fleets[argument.target].received;
  },
  /** The clients held, with the node each is (or is trying to get) connected to. */
  placement(argument: { target: Target }) {
    const fleet = fleets[argument.target];
    return [...fleet.clients.values()].map(
      (client) => [client.spec.index, client.url % Math.max(1, fleet.urls.length)] as const,
    );
  },
  /** Clients whose connection was lost in this step, and when each had resumed (0: not yet). */
  resumes(argument: { target: Target }) {
    const lost = [...fleets[argument.target].clients.values()].filter((c) => c.lostAt > 0);
    return {
      lostAt: lost.map((client) => client.lostAt),
      resumedAt: lost.map((client) => client.resumedAt),
    };
  },
  /** Compares each client's receipts with what it should have received. */
  check(argument: { target: Target; writes: WriteEntry[] }) {
    const fleet = fleets[argument.target];
    const clients = [...fleet.clients.values()];
    const latency = fleet.feed === "feed" ? new LatencyHistogram() : fleet.latency;
    const counts =
      fleet.feed === "feed"
        ? feedCheck(
            argument.writes,
            clients.map((client) => ({ user: client.spec.index, receipts: client.feed })),
            latency,
          )
        : broadcastCheck(
            argument.writes,
            clients.map((client) => ({ user: client.spec.index, receipts: client.news })),
          );
    return {
      ...counts,
      clients: clients.length,
      received: fleet.received,
      stray: fleet.strays,
      seqDropped: fleet.seqDropped,
      firstAt: fleet.firstAt,
      lastAt: fleet.lastAt,
      latency: latency.serialize(),
      pipeline: fleet.pipeline.serialize(),
      // A client that lost its connection (and has not resumed) would show up as missing.
      disconnected: clients.filter((client) => !client.live).length,
      resyncs: fleet.resyncs,
      reconnectFailures: fleet.failures,
      reconnectErrors: fleet.errors,
    };
  },
  /** Closes the given clients (by index), or all of them. */
  disconnect(argument: { target: Target; indexes?: number[] | undefined }) {
    const fleet = fleets[argument.target];
    for (const index of argument.indexes ?? [...fleet.clients.keys()]) {
      fleet.clients.get(index)?.close();
      fleet.clients.delete(index);
    }
  },
};

/** What the orchestrator may call (client-fleet.ts). */
export type WorkerHandlers = typeof handlers;

serve(handlers);
