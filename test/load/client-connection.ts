// One bench client: a Socket.IO connection (websocket only) subscribed to both feeds, that keeps
// per subscription the last `seq` it delivered, applies the protocol's seam rule, and after a lost
// connection reconnects to the next node and resumes from there (docs/protocol.md "Resume").
import { io, type Socket } from "socket.io-client";
import { now } from "./clock.ts";
import type { FeedReceipt } from "./receipt-check.ts";
import { type Action, type ClientSpec, FEED_FILTER, type FeedName } from "./workload.ts";

/** A `change` as the server sends it. */
export interface ChangeMessage {
  channel: string;
  action: Action;
  record: Record<string, unknown>;
  oldRecord?: Record<string, unknown>;
  seq: number;
  at: string;
}

/** One subscription's place in the stream. */
export interface SubState {
  kind: FeedName;
  lastSeq: number;
}

/** Where a client's changes go, and what it tells about its connection. */
export interface ClientHost {
  urls: string[];
  /** A change routed to one of the client's subscriptions (`dropped`: not above its last seq). */
  deliver(client: Client, sub: SubState, change: ChangeMessage, at: number, dropped: boolean): void;
  /** A change on a channel none of the client's subscriptions names. */
  stray(count: number): void;
  /** A resuming subscribe was refused as too old: the client subscribed afresh. */
  resynced(): void;
  /** A reconnection attempt failed. */
  failed(message: string): void;
}

const KINDS: FeedName[] = ["feed", "news"];

// A transport error's message says only "websocket error": add what lies under it (ECONNRESET,
// "Unexpected server response: 503"…).
function describeError(error: Error): string {
  const cause = (error as Error & { description?: { message?: string; code?: string } })
    .description;
  const detail = cause?.message ?? cause?.code;
  return detail ? `${error.message}: ${detail}` : error.message;
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Ack {
  ok: boolean;
  channel?: string;
  throughSeq?: number;
  error?: { code: string; message: string };
}

export class Client {
  readonly spec: ClientSpec;
  readonly #host: ClientHost;
  /** Index into the host's URLs of the node to (re)connect to. */
  url: number;
  socket: Socket | undefined;
  readonly subs: Record<FeedName, SubState> = {
    feed: { kind: "feed", lastSeq: 0 },
    news: { kind: "news", lastSeq: 0 },
  };
  #byChannel = new Map<string, SubState>();
  #pending: { change: ChangeMessage; at: number }[] = [];
  #subscribedOnce = false;
  /** Connected, and both subscriptions acknowledged. */
  live = false;
  /** Closed on purpose: no reconnection. */
  closing = false;
  /** When the connection was last lost, and when the client had resumed after that (clock.ts). */
  lostAt = 0;
  resumedAt = 0;
  /** The W1 changes of the current step, and the `n` of its W2 changes, in arrival order. */
  feed: FeedReceipt[] = [];
  news: number[] = [];

  constructor(spec: ClientSpec, url: number, host: ClientHost) {
    this.spec = spec;
    this.url = url;
    this.#host = host;
  }

  /** Connects and subscribes (resuming both subscriptions if it was subscribed before). */
  open(): Promise<void> {
    const url = this.#host.urls[this.url % this.#host.urls.length] as string;
    const socket = io(url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: 60_000,
      auth: { token: this.spec.token },
    });
    this.socket = socket;
    this.#byChannel = new Map();
    this.#pending = [];
    socket.on("change", (change: ChangeMessage) => this.#receive(change, now()));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        socket.close();
        reject(error);
      };
      socket.once("connect_error", (error) => fail(new Error(describeError(error))));
      socket.on("disconnect", (reason) => {
        const wasLive = this.live;
        this.live = false;
        // Lost while subscribing: this attempt failed (its caller retries, or counts it).
        if (!settled) fail(new Error(`disconnected while subscribing (${reason})`));
        else if (wasLive && !this.closing && socket === this.socket) void this.#reconnect();
      });
      socket.once("connect", async () => {
        try {
          await Promise.all(KINDS.map((kind) => this.#subscribe(socket, this.subs[kind])));
          if (settled) return;
          this.#host.stray(this.#pending.length);
          this.#pending = [];
          this.#subscribedOnce = true;
          settled = true;
          this.live = true;
          resolve();
        } catch (error) {
          fail(error as Error);
        }
      });
    });
  }

  close(): void {
    this.closing = true;
    this.live = false;
    this.socket?.close();
  }

  #receive(change: ChangeMessage, at: number): void {
    const sub = this.#byChannel.get(change.channel);
    if (sub) this.#deliver(sub, change, at);
    else this.#pending.push({ change, at });
  }

  #deliver(sub: SubState, change: ChangeMessage, at: number): void {
    // The seam rule: a change not above the subscription's last seq was delivered already.
    const dropped = change.seq <= sub.lastSeq;
    if (!dropped) sub.lastSeq = change.seq;
    this.#host.deliver(this, sub, change, at, dropped);
  }

  // Changes that come before the ack (live ones, and a resume's replay) wait for it, so that
  // they can be routed by the channel it names and delivered in seq order.
  async #subscribe(socket: Socket, sub: SubState): Promise<void> {
    const resume = this.#subscribedOnce;
    const body = {
      collection: sub.kind,
      ...(sub.kind === "feed" ? { filter: FEED_FILTER } : {}),
      ...(resume ? { resumeFrom: sub.lastSeq } : {}),
    };
    let ack: Ack = await socket.timeout(60_000).emitWithAck("subscribe", body);
    if (!ack.ok && resume && ack.error?.code === "RESYNC_REQUIRED") {
      this.#host.resynced();
      const { resumeFrom: _, ...fresh } = body as typeof body & { resumeFrom?: number };
      ack = await socket.timeout(60_000).emitWithAck("subscribe", fresh);
    }
    if (!ack.ok || !ack.channel)
      throw new Error(`subscribe ${sub.kind}: ${JSON.stringify(ack.error ?? ack)}`);
    const channel = ack.channel;
    this.#byChannel.set(channel, sub);
    const waiting = this.#pending.filter((item) => item.change.channel === channel);
    this.#pending = this.#pending.filter((item) => item.change.channel !== channel);
    waiting.sort((a, b) => a.change.seq - b.change.seq);
    for (const { change, at } of waiting) this.#deliver(sub, change, at);
    // Everything up to the ack's position has been delivered (replayed), or predates the
    // subscription.
    if (typeof ack.throughSeq === "number") sub.lastSeq = Math.max(sub.lastSeq, ack.throughSeq);
  }

  // As Socket.IO's own reconnection would: a first try after 0.5–1.5 s, then doubling up to 5 s;
  // each try goes to the next node (a load balancer would not send it back to a dead one).
  async #reconnect(): Promise<void> {
    this.lostAt = now();
    this.resumedAt = 0;
    let delay = 500 + Math.random() * 1_000;
    while (!this.closing) {
      await pause(delay);
      if (this.closing) return;
      this.url += 1;
      try {
        await this.open();
        this.resumedAt = now();
        return;
      } catch (error) {
        this.#host.failed((error as Error).message);
        delay = Math.min(5_000, delay * 2);
      }
    }
  }
}
