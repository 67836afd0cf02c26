// One client of the connect storm: a Socket.IO connection (websocket only) that subscribes to the
// per-user feed and the broadcast feed, keeps per subscription the last seq it delivered, applies
// the protocol's seam rule, and after a lost connection reconnects to the next url and resumes
// (docs/protocol.md "Resume"), as @tidings/client does.
import { io, type Socket } from "socket.io-client";
import type { ClientSpec } from "./storm-protocol.ts";

/** The subscriptions every client makes (the feed's list rule adds `owner = @request.auth.id`). */
export const SUBSCRIPTIONS = {
  feed: { collection: "feed", filter: "status = 'active'" },
  news: { collection: "news" },
} as const;
export type Feed = keyof typeof SUBSCRIPTIONS;
const FEEDS = Object.keys(SUBSCRIPTIONS) as Feed[];

interface Change {
  channel: string;
  seq: number;
  record: { n?: number };
}

interface Ack {
  ok: boolean;
  channel?: string;
  throughSeq?: number;
  error?: { code: string; message: string };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a client tells its worker about reconnections. */
export interface ClientEvents {
  resynced(): void;
  failed(message: string): void;
}

export class BenchClient {
  readonly spec: ClientSpec;
  readonly #urls: string[];
  readonly #events: ClientEvents;
  #url = 0;
  #socket: Socket | undefined;
  #closing = false;
  #subscribedOnce = false;
  readonly #lastSeq: Record<Feed, number> = { feed: 0, news: 0 };
  #byChannel = new Map<string, Feed>();
  #pending: Change[] = [];
  /** The `n` of every change delivered, per feed, in arrival order. */
  readonly received: Record<Feed, number[]> = { feed: [], news: [] };
  lostAt = 0;
  resumedAt = 0;

  constructor(spec: ClientSpec, urls: string[], events: ClientEvents) {
    this.spec = spec;
    this.#urls = urls;
    this.#events = events;
  }

  /** Connects and subscribes to both feeds (resuming them if it was subscribed before). */
  open(): Promise<void> {
    const socket = io(this.#urls[this.#url % this.#urls.length] as string, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: 60_000,
      auth: { token: this.spec.token },
    });
    this.#socket = socket;
    this.#byChannel = new Map();
    this.#pending = [];
    socket.on("change", (change: Change) => {
      const feed = this.#byChannel.get(change.channel);
      if (feed) this.#deliver(feed, change);
      else this.#pending.push(change);
    });
    socket.on("disconnect", (reason) => {
      if (!this.#closing && socket === this.#socket && reason !== "io client disconnect")
        void this.#reconnect();
    });
    const startedAt = Date.now();
    return new Promise<void>((resolve, reject) => {
      socket.once("connect_error", (error) => {
        socket.close();
        const seconds = ((Date.now() - startedAt) / 1_000).toFixed(1);
        reject(Object.assign(error, { message: `${error.message} after ${seconds} s` }));
      });
      socket.once("connect", async () => {
        try {
          await Promise.all(FEEDS.map((feed) => this.#subscribe(socket, feed)));
          this.#subscribedOnce = true;
          resolve();
        } catch (error) {
          socket.close();
          reject(error);
        }
      });
    });
  }

  close(): void {
    this.#closing = true;
    this.#socket?.close();
  }

  #deliver(feed: Feed, change: Change): void {
    // The seam rule: a change not above the subscription's last seq was delivered already.
    if (change.seq <= this.#lastSeq[feed]) return;
    this.#lastSeq[feed] = change.seq;
    const { n } = change.record;
    if (typeof n === "number") this.received[feed].push(n);
  }

  // Changes that arrive before the ack (live ones, and a resume's replay) wait for it: the ack
  // names the channel, and they are delivered in seq order.
  async #subscribe(socket: Socket, feed: Feed): Promise<void> {
    const body = {
      ...SUBSCRIPTIONS[feed],
      ...(this.#subscribedOnce ? { resumeFrom: this.#lastSeq[feed] } : {}),
    };
    let ack: Ack = await socket.timeout(60_000).emitWithAck("subscribe", body);
    if (!ack.ok && ack.error?.code === "RESYNC_REQUIRED") {
      this.#events.resynced();
      ack = await socket.timeout(60_000).emitWithAck("subscribe", SUBSCRIPTIONS[feed]);
    }
    if (!ack.ok || !ack.channel)
      throw new Error(`subscribe ${feed}: ${JSON.stringify(ack.error ?? ack)}`);
    const channel = ack.channel;
    this.#byChannel.set(channel, feed);
    const waiting = this.#pending.filter((change) => change.channel === channel);
    this.#pending = this.#pending.filter((change) => change.channel !== channel);
    for (const change of waiting.sort((a, b) => a.seq - b.seq)) this.#deliver(feed, change);
    if (typeof ack.throughSeq === "number")
      this.#lastSeq[feed] = Math.max(this.#lastSeq[feed], ack.throughSeq);
  }

  // As Socket.IO's own reconnection would: a first try after 0.5–1.5 s, then doubling up to 5 s,
  // each try to the next url (a load balancer would not send it back to a dead node).
  async #reconnect(): Promise<void> {
    this.lostAt = Date.now();
    this.resumedAt = 0;
    let delay = 500 + Math.random() * 1_000;
    while (!this.#closing) {
      await pause(delay);
      this.#url += 1;
      try {
        await this.open();
        this.resumedAt = Date.now();
        return;
      } catch (error) {
        this.#events.failed((error as Error).message);
        delay = Math.min(5_000, delay * 2);
      }
    }
  }
}
