// A client worker process: holds many Socket.IO connections (websocket only), subscribes them,
// and timestamps every change they receive. Several run side by side so the client side is not
// the bottleneck; the orchestrator drives them through child-rpc.ts (see client-fleet.ts).
import { io, type Socket } from "socket.io-client";
import { serve } from "./child-rpc.ts";
import { now } from "./clock.ts";
import { LatencyHistogram } from "./latency-histogram.ts";
import { receiptCheck } from "./receipt-check.ts";
import {
  type ClientSpec,
  FEED_FILTER,
  type FeedName,
  type Target,
  type WriteEntry,
} from "./workload.ts";

interface Client {
  spec: ClientSpec;
  socket: Socket;
  /** The `n` of every change of the current step, in arrival order (duplicates kept). */
  receipts: number[];
}

interface ChangeRecord {
  collectionName: string;
  n: number;
  step: number;
  sentAt: number;
}

interface Change {
  record: ChangeRecord;
  at: string;
}

/** What the clients of one target received in the current step. */
class Fleet {
  readonly clients: Client[] = [];
  step = -1;
  feed: FeedName = "feed";
  received = 0;
  /** Changes of another step or feed (late from an earlier step): not counted as deliveries. */
  stray = 0;
  firstAt = 0;
  lastAt = 0;
  latency = new LatencyHistogram();
  /** From the change's `at` (its transaction's time in PostgreSQL) to arrival. */
  pipeline = new LatencyHistogram();

  begin(step: number, feed: FeedName): void {
    Object.assign(this, { step, feed, received: 0, stray: 0, firstAt: 0, lastAt: 0 });
    this.latency = new LatencyHistogram();
    this.pipeline = new LatencyHistogram();
    for (const client of this.clients) client.receipts = [];
  }

  // The hot path of the bench's client side: keep it to a timestamp, a push and a bucket.
  receive(client: Client, { record, at: committedAt }: Change): void {
    const at = now();
    if (record.step !== this.step || record.collectionName !== this.feed) {
      this.stray += 1;
      return;
    }
    client.receipts.push(record.n);
    this.latency.record(at - record.sentAt);
    this.pipeline.record(at - Date.parse(committedAt));
    this.received += 1;
    if (this.firstAt === 0) this.firstAt = at;
    this.lastAt = at;
  }
}

const fleets: Record<Target, Fleet> = { tidings: new Fleet(), baseline: new Fleet() };

function connectOne(fleet: Fleet, target: Target, url: string, spec: ClientSpec): Promise<void> {
  const socket = io(url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: 60_000,
    auth: { token: spec.token },
  });
  const client: Client = { spec, socket, receipts: [] };
  socket.on("change", (change: Change) => fleet.receive(client, change));
  return new Promise<void>((resolve, reject) => {
    socket.once("connect_error", (error) => reject(error));
    socket.once("connect", async () => {
      try {
        // The baseline server does no matching: its clients only listen.
        if (target === "tidings") {
          for (const body of [
            { collection: "feed", filter: FEED_FILTER },
            { collection: "news" },
          ]) {
            const ack = await socket.timeout(60_000).emitWithAck("subscribe", body);
            if (!ack.ok) throw new Error(`subscribe ${body.collection}: ${JSON.stringify(ack)}`);
          }
        }
        fleet.clients.push(client);
        resolve();
      } catch (error) {
        socket.close();
        reject(error);
      }
    });
  });
}

const handlers = {
  /** Connects (and subscribes) the given clients, `concurrency` at a time. */
  async connect(argument: {
    target: Target;
    urls: string[];
    clients: ClientSpec[];
    concurrency: number;
  }) {
    const fleet = fleets[argument.target];
    const errors: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: argument.concurrency }, async () => {
        while (next < argument.clients.length) {
          const spec = argument.clients[next++] as ClientSpec;
          const url = argument.urls[spec.index % argument.urls.length] as string;
          await connectOne(fleet, argument.target, url, spec).catch((error: Error) =>
            errors.push(error.message),
          );
        }
      }),
    );
    return { connected: fleet.clients.length, errors: errors.slice(0, 5), failed: errors.length };
  },
  /** Starts counting a new step: earlier receipts are forgotten. */
  begin(argument: { target: Target; step: number; feed: FeedName }) {
    fleets[argument.target].begin(argument.step, argument.feed);
  },
  progress(argument: { target: Target }) {
    return fleets[argument.target].received;
  },
  /** Compares each client's receipts with what it should have received. */
  check(argument: { target: Target; writes: WriteEntry[] }) {
    const fleet = fleets[argument.target];
    const check = receiptCheck(
      fleet.feed,
      argument.writes,
      fleet.clients.map((client) => ({ user: client.spec.index, receipts: client.receipts })),
    );
    return {
      ...check,
      clients: fleet.clients.length,
      received: fleet.received,
      stray: fleet.stray,
      firstAt: fleet.firstAt,
      lastAt: fleet.lastAt,
      latency: fleet.latency.serialize(),
      pipeline: fleet.pipeline.serialize(),
      // A client that lost its connection would show up as missing; say how many did.
      disconnected: fleet.clients.filter((client) => !client.socket.connected).length,
    };
  },
  disconnect(argument: { target: Target }) {
    const fleet = fleets[argument.target];
    for (const client of fleet.clients) client.socket.close();
    fleet.clients.length = 0;
  },
};

/** What the orchestrator may call (client-fleet.ts). */
export type WorkerHandlers = typeof handlers;

serve(handlers);
