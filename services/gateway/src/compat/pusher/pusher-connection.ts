import { randomInt } from "node:crypto";
import { findUnsafeInput, type Logger } from "@tidings/service";
import type { WebSocket } from "ws";
import { RateLimiter } from "../../realtime/rate-limiter.ts";
import { type CompatDeps, CompatSession } from "../compat-session.ts";
import { type PusherChannelDeps, PusherChannels } from "./pusher-channels.ts";
import type { PusherApp, PusherSettings } from "./pusher-env.ts";
import {
  type ClientFrame,
  errorFrame,
  frame,
  PUSHER_CODES,
  parseClientFrame,
  unsubscribeData,
} from "./pusher-wire.ts";

/** What a Pusher connection is built on. */
export interface PusherConnectionDeps extends PusherChannelDeps {
  compat: CompatDeps;
  settings: PusherSettings;
  maxMessagesPerMinute: number;
  /** Bytes queued for the client beyond which it is cut off (4100: back off, then reconnect). */
  slowConsumerBytes: number;
  /** Deepest nesting of objects and arrays in a frame. */
  jsonMaxDepth: number;
  logger: Logger;
}

/** A socket id like Pusher's `1234.5678`: random, so unique across the cluster without asking. */
function newSocketId(): string {
  return `${randomInt(1, 1_000_000_000)}.${randomInt(1, 1_000_000_000)}`;
}

/**
 * One pusher-js client: its WebSocket, its {@link CompatSession} (whose id is the socket id, so a
 * REST write carrying `X-Socket-ID` leaves this connection out) and its channels. Frames are
 * handled one at a time, in order; nothing a client sends can throw out of here.
 */
export class PusherConnection {
  readonly session: CompatSession;
  readonly #ws: WebSocket;
  readonly #deps: PusherConnectionDeps;
  readonly #channels: PusherChannels;
  readonly #messages: RateLimiter;
  readonly #clientEvents: RateLimiter;
  readonly #opened: Promise<void>;
  #queue: Promise<void>;
  #closed = false;
  #lastSeen = Date.now();
  #pingedAt: number | undefined;

  constructor(ws: WebSocket, app: PusherApp, deps: PusherConnectionDeps) {
    this.#ws = ws;
    this.#deps = deps;
    this.session = new CompatSession(
      deps.compat,
      {
        id: newSocketId(),
        protocol: "pusher",
        // pusher-js does not reconnect after 4009: the application signs in again first.
        onRevoked: () =>
          void this.close(
            PUSHER_CODES.unauthorized,
            "Connection is unauthorized: the token was revoked",
          ),
      },
      (subscription, change) => this.#channels.deliver(subscription, change),
      (event, payload) => this.#channels.receive(event, payload),
    );
    this.#channels = new PusherChannels(deps, this.session, app, (text) => this.#send(text));
    this.#messages = new RateLimiter(deps.maxMessagesPerMinute, 60_000);
    this.#clientEvents = new RateLimiter(deps.settings.clientEventsPerSecond, 1_000);
    this.#opened = this.#open();
    this.#queue = this.#opened;
  }

  async #open(): Promise<void> {
    try {
      await this.session.open();
    } catch (error) {
      this.#deps.logger.warn({ err: error }, "pusher: could not open a connection");
      void this.close(PUSHER_CODES.overCapacity, "Over capacity; try again shortly.");
      return;
    }
    if (this.#closed) return;
    this.#send(
      frame("pusher:connection_established", {
        socket_id: this.session.id,
        activity_timeout: this.#deps.settings.activityTimeoutSeconds,
      }),
    );
  }

  #send(text: string): void {
    if (this.#closed) return;
    if (this.#ws.bufferedAmount > this.#deps.slowConsumerBytes) {
      void this.close(PUSHER_CODES.overCapacity, "Slow consumer: too many undelivered messages.");
      return;
    }
    this.#ws.send(text);
  }

  /** A text frame from the client. */
  receive(text: string): void {
    this.#lastSeen = Date.now();
    this.#pingedAt = undefined;
    const answer = this.#accept(text);
    if (answer) this.#send(answer);
  }

  // Answers pings at once and queues the rest; resolves to a frame to answer with, if any.
  #accept(text: string): string | undefined {
    const message = parseClientFrame(text);
    if (!message) return errorFrame(PUSHER_CODES.reconnect, "Invalid message format");
    // Checked once decoded (a `pusher:` event's JSON-string data too), before anything reads it.
    const unsafe = findUnsafeInput(message, this.#deps.jsonMaxDepth);
    if (unsafe)
      return errorFrame(PUSHER_CODES.rejected, `Invalid message: ${unsafe.path} ${unsafe.message}`);
    if (message.event === "pusher:ping") return frame("pusher:pong", {});
    if (message.event === "pusher:pong") return undefined;
    const client = message.event.startsWith("client-");
    if (!(client ? this.#clientEvents : this.#messages).take()) {
      return errorFrame(
        PUSHER_CODES.rejected,
        client ? "Client event rate limit exceeded." : "Too many messages; slow down.",
      );
    }
    this.#queue = this.#queue.then(() => this.#handle(message));
    return undefined;
  }

  async #handle(message: ClientFrame): Promise<void> {
    if (this.#closed) return;
    try {
      if (message.event === "pusher:subscribe") await this.#channels.subscribe(message.data);
      else if (message.event === "pusher:unsubscribe") {
        const parsed = unsubscribeData.safeParse(message.data);
        if (parsed.success) await this.#channels.unsubscribe(parsed.data.channel);
      } else if (message.event.startsWith("client-")) {
        const refused = this.#clientEvent(message);
        if (refused) this.#send(refused);
      }
    } catch (error) {
      this.#deps.logger.error({ err: error, event: message.event }, "pusher: message failed");
      this.#send(errorFrame(PUSHER_CODES.reconnect, "Internal error"));
    }
  }

  // Pusher's rules: only on private and presence channels the sender is in, never echoed back;
  // on presence channels the receivers learn who sent it.
  #clientEvent({ event, channel, data }: ClientFrame): string | undefined {
    const kind = channel === undefined ? undefined : this.#channels.kindOf(channel);
    if (channel === undefined || kind === undefined)
      return errorFrame(
        PUSHER_CODES.notMember,
        "The client is not a member of the specified channel.",
      );
    if (kind === "provided" || !/^(private|presence)-/.test(channel))
      return errorFrame(
        PUSHER_CODES.rejected,
        "Client events are only allowed on private and presence channels.",
      );
    const userId = this.#channels.presenceUser(channel);
    this.#deps.broadcast.publish(
      {
        topic: channel,
        payload: { event, data, ...(userId === undefined ? {} : { user_id: userId }) },
        from: { id: this.session.id, userId: userId ?? null },
      },
      this.session.id,
    );
    return undefined;
  }

  /**
   * The server's liveness check: silent for the activity timeout → `pusher:ping`; still silent as
   * long again → closed with 4201.
   */
  checkActivity(now: number): void {
    const timeoutMs = this.#deps.settings.activityTimeoutSeconds * 1_000;
    if (this.#pingedAt !== undefined) {
      if (now - this.#pingedAt >= timeoutMs)
        void this.close(PUSHER_CODES.pongTimeout, "Pong reply not received in time");
    } else if (now - this.#lastSeen >= timeoutMs) {
      this.#pingedAt = now;
      this.#send(frame("pusher:ping", {}));
    }
  }

  /** Closes the WebSocket (if open) with `code` and lets go of everything the connection held. */
  async close(code?: number, reason = ""): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (code !== undefined && this.#ws.readyState === this.#ws.OPEN) {
      this.#ws.send(errorFrame(code, reason));
      this.#ws.close(code, reason);
    }
    // A session still opening would otherwise register itself after it was closed.
    await this.#opened;
    await this.session.close();
    await this.#deps.presence
      .leaveAll(this.session.id)
      .catch((error) => this.#deps.logger.warn({ err: error }, "pusher: could not leave presence"));
  }
}
