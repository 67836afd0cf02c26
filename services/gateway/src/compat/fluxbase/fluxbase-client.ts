import { randomUUID } from "node:crypto";
import type { AuthUser, TokenService } from "@tidings/auth";
import { TidingsError } from "@tidings/protocol";
import type { Logger } from "@tidings/service";
import { type RawData, WebSocket } from "ws";
import { tokenCredential } from "../../connections/credentials.ts";
import { RateLimiter } from "../../realtime/rate-limiter.ts";
import { type CompatDeps, CompatSession } from "../compat-session.ts";
import { type ChannelDeps, FluxbaseChannels } from "./fluxbase-channels.ts";
import { type ClientMessage, readMessage } from "./fluxbase-messages.ts";
import { FluxbaseTables, tableTarget } from "./fluxbase-tables.ts";
import {
  CLOSE_CODES,
  errorFrame,
  type FluxbaseErrorCode,
  FluxbaseRefusal,
  MAX_CONNECTIONS_TEXT,
  refusalFrame,
  type ServerMessage,
} from "./fluxbase-wire.ts";

/** Limits of one Fluxbase connection. */
export interface FluxbaseLimits {
  maxMessagesPerMinute: number;
  /** Bytes waiting to be sent beyond which the client is cut off. */
  slowConsumerBytes: number;
  /** Silence (not a message, not a pong) after which the client is taken for dead. */
  idleTimeoutMs: number;
  /** Deepest nesting of objects and arrays in a message. */
  jsonMaxDepth: number;
}

/** What a connection is built on. */
export interface FluxbaseClientDeps extends ChannelDeps {
  compat: CompatDeps;
  tokens: TokenService;
  logger: Logger;
  limits: FluxbaseLimits;
}

/** Who connected: the verified token's user, or anonymous. */
export interface FluxbaseAuth {
  user: AuthUser | null;
  /** When the token expires (epoch ms); null when anonymous. */
  expiresAt: number | null;
  /** The token (null when anonymous), checked again whenever its user changes. */
  token: string | null;
}

const FALLBACK: Record<ClientMessage["type"], FluxbaseErrorCode> = {
  subscribe: "SUBSCRIPTION_FAILED",
  unsubscribe: "SUBSCRIPTION_FAILED",
  broadcast: "SUBSCRIPTION_FAILED",
  presence: "SUBSCRIPTION_FAILED",
  access_token: "UNAUTHORIZED",
  ping: "INVALID_MESSAGE",
  heartbeat: "INVALID_MESSAGE",
};

/**
 * One Fluxbase realtime WebSocket, on one {@link CompatSession} (whose id is the connection id).
 * Messages are handled one at a time, in order; every failure is answered with an error frame and
 * the connection stays open.
 */
export class FluxbaseClient {
  readonly ws: WebSocket;
  readonly session: CompatSession;
  /** Resolves once the connection has closed and its subscriptions and memberships are gone. */
  readonly done: Promise<void>;
  readonly #deps: FluxbaseClientDeps;
  readonly #tables: FluxbaseTables;
  readonly #channels: FluxbaseChannels;
  readonly #limiter: RateLimiter;
  readonly #opened: Promise<void>;
  #queue: Promise<void>;
  #expiresAt: number | null;
  #lastSeen = Date.now();
  #closed = false;

  constructor(ws: WebSocket, deps: FluxbaseClientDeps, auth: FluxbaseAuth) {
    this.ws = ws;
    this.#deps = deps;
    this.#expiresAt = auth.expiresAt;
    this.#limiter = new RateLimiter(deps.limits.maxMessagesPerMinute, 60_000);
    this.session = new CompatSession(
      deps.compat,
      { id: randomUUID(), protocol: "fluxbase", onRevoked: () => this.#revoked() },
      (subscription, change) => {
        const event = this.#tables.changeEvent(subscription.key, change);
        if (event) this.send(event);
      },
      (event, payload) => {
        for (const message of this.#channels.receive(event, payload)) this.send(message);
      },
    );
    if (auth.user && auth.token)
      this.session.signIn(auth.user, tokenCredential(deps.tokens, auth.token, auth.user.id));
    this.#tables = new FluxbaseTables(this.session, deps.compat.collections);
    this.#channels = new FluxbaseChannels(this.session, deps);
    ws.on("message", (data, isBinary) => this.#receive(data, isBinary));
    ws.on("pong", () => {
      this.#lastSeen = Date.now();
    });
    // Oversized frames and protocol errors: ws closes the socket itself (1009, 1002).
    ws.on("error", (error) => deps.logger.debug({ err: error }, "fluxbase: socket error"));
    const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
    this.#opened = this.#open();
    this.#queue = this.#opened;
    this.done = closed.then(() => this.#cleanUp());
  }

  /** Sends a frame; a client that lets too much pile up is cut off. */
  send(message: ServerMessage): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.#deps.limits.slowConsumerBytes) {
      this.#deps.logger.debug({ connectionId: this.session.id }, "fluxbase: slow consumer cut off");
      this.ws.terminate();
      return;
    }
    this.ws.send(JSON.stringify(message));
  }

  /** Closes the connection (the SDK reconnects after any close it did not ask for). */
  close(code: number, reason: string): void {
    this.#closed = true;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(code, reason);
  }

  /**
   * One heartbeat: a client whose token expired is told and closed, one silent past the idle
   * timeout is dropped (it would not answer a closing handshake either), any other gets Fluxbase's
   * `heartbeat` message and a ping.
   */
  beat(now = Date.now()): void {
    if (this.#expiresAt !== null && now >= this.#expiresAt) {
      this.send(errorFrame("UNAUTHORIZED", "token expired"));
      this.close(CLOSE_CODES.policy, "token_expired");
    } else if (now - this.#lastSeen > this.#deps.limits.idleTimeoutMs) {
      this.ws.terminate();
    } else if (this.ws.readyState === WebSocket.OPEN) {
      this.send({ type: "heartbeat" });
      this.ws.ping();
    }
  }

  // As for an expired token: the error first, then a close the SDK answers by reconnecting with
  // the same token, which the handshake refuses (401) until the application signs in again.
  #revoked(): void {
    this.send(errorFrame("UNAUTHORIZED", "token revoked"));
    this.close(CLOSE_CODES.policy, "token_revoked");
  }

  async #open(): Promise<void> {
    try {
      await this.session.open();
    } catch (error) {
      if (error instanceof TidingsError && error.code === "LIMIT_EXCEEDED") {
        this.send({
          ...errorFrame("RATE_LIMITED", "max_connections_reached"),
          message: MAX_CONNECTIONS_TEXT,
          payload: { message: MAX_CONNECTIONS_TEXT },
        });
        this.close(CLOSE_CODES.policy, "max_connections_reached");
      } else {
        this.#deps.logger.error({ err: error }, "fluxbase: could not open a connection");
        this.send(refusalFrame(error, "SUBSCRIPTION_FAILED"));
        this.close(CLOSE_CODES.internal, "internal error");
      }
    }
  }

  #receive(data: RawData, isBinary: boolean): void {
    this.#lastSeen = Date.now();
    if (!this.#limiter.take()) {
      this.send(
        errorFrame("RATE_LIMITED", "rate limit exceeded", {
          retryAfterSeconds: Math.ceil(this.#limiter.retryAfterMs() / 1000),
        }),
      );
      return;
    }
    const frame = isBinary ? undefined : data.toString();
    this.#queue = this.#queue
      .then(() => this.#handle(frame))
      .catch((error) => this.#deps.logger.error({ err: error }, "fluxbase: message failed"));
  }

  async #handle(frame: string | undefined): Promise<void> {
    if (this.#closed) return;
    let message: ClientMessage;
    try {
      if (frame === undefined)
        throw new FluxbaseRefusal("INVALID_MESSAGE", "messages are JSON text frames");
      message = readMessage(frame, this.#deps.limits.jsonMaxDepth);
    } catch (error) {
      this.send(refusalFrame(error, "INVALID_MESSAGE"));
      return;
    }
    try {
      for (const reply of await this.#dispatch(message)) this.send(reply);
    } catch (error) {
      if (!(error instanceof FluxbaseRefusal || error instanceof TidingsError))
        this.#deps.logger.error({ err: error, type: message.type }, "fluxbase: message failed");
      const channel = "channel" in message && message.channel ? { channel: message.channel } : {};
      this.send(refusalFrame(error, FALLBACK[message.type], channel));
    }
  }

  async #dispatch(message: ClientMessage): Promise<ServerMessage[]> {
    switch (message.type) {
      case "subscribe": {
        const target = tableTarget(message);
        if (target) return [await this.#tables.subscribe(target)];
        if (!message.channel)
          throw new FluxbaseRefusal("INVALID_CHANNEL", "table is required for subscribe");
        return this.#channels.subscribe(message.channel);
      }
      case "unsubscribe": {
        const id = message.subscription_id || undefined;
        const channel = message.channel || undefined;
        if (!id && channel && !this.#tables.has(channel) && this.#channels.has(channel))
          return [await this.#channels.leave(channel)];
        return [await this.#tables.unsubscribe(id, channel)];
      }
      case "broadcast":
        return this.#channels.broadcast(message);
      case "presence":
        return this.#channels.presence(message);
      case "ping":
        return [{ type: "pong" }];
      case "heartbeat":
        return [];
      case "access_token":
        return [await this.#renew(message.token ?? "")];
    }
  }

  // A fresh token for the same user, or a first one for an anonymous connection (which then counts
  // against the user's connection limit). Subscriptions keep the access they were granted.
  async #renew(token: string): Promise<ServerMessage> {
    if (!token)
      throw new FluxbaseRefusal("UNAUTHORIZED", "token is required for access_token message");
    const verified = await this.#deps.tokens.verify(token).catch((error: unknown) => {
      if (error instanceof TidingsError && error.code === "UNAUTHORIZED")
        throw new FluxbaseRefusal("UNAUTHORIZED", "invalid token");
      throw error;
    });
    const current = this.session.auth;
    if (current && current.id !== verified.user.id)
      throw new FluxbaseRefusal(
        "FORBIDDEN",
        "a connection's token can only be renewed for the same user",
      );
    if (!current) {
      await this.#deps.compat.connections
        .signIn(this.session.id, verified.user.id)
        .catch((error) => {
          if (error instanceof TidingsError && error.code === "LIMIT_EXCEEDED")
            throw new FluxbaseRefusal("RATE_LIMITED", "max_connections_reached");
          throw error;
        });
    }
    this.session.signIn(verified.user, tokenCredential(this.#deps.tokens, token, verified.user.id));
    this.#expiresAt = verified.expiresAt;
    return { type: "ack", payload: { type: "access_token", updated: true } };
  }

  async #cleanUp(): Promise<void> {
    this.#closed = true;
    await this.#opened;
    await this.session.close();
    await this.#channels
      .close()
      .catch((error) =>
        this.#deps.logger.warn({ err: error }, "fluxbase: presence cleanup failed"),
      );
  }
}
