import type { Logger } from "@tidings/service";
import { type RawData, WebSocket } from "ws";
import { RateLimiter } from "../../realtime/rate-limiter.ts";
import { CLOSE_CODES, closeReasonText } from "./close-reasons.ts";
import type { ContentMessage } from "./content-message.ts";
import type { ContentSubscriber } from "./content-subscriber.ts";

/** Limits of one FastSchema connection. */
export interface ContentSocketLimits {
  maxMessagesPerMinute: number;
  /** Bytes waiting to be sent beyond which the client is cut off. */
  slowConsumerBytes: number;
  /** Silence (not even a pong) after which the client is taken for dead. */
  idleTimeoutMs: number;
}

/**
 * An open FastSchema realtime WebSocket: sends its subscription's changes, echoes the client's
 * frames back as FastSchema does (within the rate limit), and answers the heartbeat.
 */
export class ContentSocket {
  readonly ws: WebSocket;
  readonly #subscriber: ContentSubscriber;
  readonly #limits: ContentSocketLimits;
  readonly #limiter: RateLimiter;
  #lastSeen = Date.now();

  constructor(
    ws: WebSocket,
    subscriber: ContentSubscriber,
    limits: ContentSocketLimits,
    logger: Logger,
  ) {
    this.ws = ws;
    this.#subscriber = subscriber;
    this.#limits = limits;
    this.#limiter = new RateLimiter(limits.maxMessagesPerMinute, 60_000);
    ws.on("message", (data, isBinary) => this.#echo(data, isBinary));
    ws.on("pong", () => {
      this.#lastSeen = Date.now();
    });
    // Oversized frames and protocol errors: ws closes the socket itself (1009, 1002).
    ws.on("error", (error) => logger.debug({ err: error }, "fastschema: socket error"));
    subscriber.forward((message) => this.send(message));
    // As for an expired token: FastSchema's error format in the reason; its SDK never reconnects.
    subscriber.whenRevoked(() => this.close(CLOSE_CODES.normal, "[401] Token revoked"));
  }

  /** Sends a change; a client that lets too much pile up is cut off. */
  send(message: ContentMessage): void {
    this.#write(JSON.stringify(message), false);
  }

  /** Closes with a code and a reason (cut to what a close frame holds). */
  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, closeReasonText(reason));
  }

  /**
   * One heartbeat: a client whose token expired is closed, one silent past the idle timeout is
   * dropped at once (it would not answer a closing handshake either), any other is pinged.
   */
  beat(now = Date.now()): void {
    const expiresAt = this.#subscriber.expiresAt;
    if (expiresAt !== null && now >= expiresAt) {
      this.close(CLOSE_CODES.normal, "[401] Token expired");
    } else if (now - this.#lastSeen > this.#limits.idleTimeoutMs) {
      this.ws.terminate();
    } else if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.ping();
    }
  }

  #echo(data: RawData, isBinary: boolean): void {
    this.#lastSeen = Date.now();
    if (!this.#limiter.take()) {
      this.close(CLOSE_CODES.policy, "[429] Too many messages; slow down.");
      return;
    }
    this.#write(data, isBinary);
  }

  #write(data: RawData | string, binary: boolean): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(data, { binary });
    if (this.ws.bufferedAmount > this.#limits.slowConsumerBytes) this.ws.terminate();
  }
}
