import type { ServerResponse } from "node:http";

/** Why a stream ended. */
export type StreamEnd = "client" | "idle" | "lifetime" | "slow" | "server" | "revoked";

/** Limits of one stream. */
export interface SseStreamOptions {
  /** Closed after this long without an event. */
  idleTimeoutMs: number;
  /** Closed after this long whatever happens. */
  maxLifetimeMs: number;
  /** Bytes the client may leave unread before it is cut off as a slow consumer. */
  maxBufferedBytes: number;
}

/**
 * A PocketBase realtime stream: `text/event-stream` written straight to the socket, every event
 * as `id:<clientId>`, `event:<name>`, `data:<json>` (PocketBase's framing, which the SDK reads the
 * client id from). It ends after the idle timeout or the maximum lifetime, when the client cannot
 * keep up, or when the server closes it; `onEnd` is called once, whatever the cause.
 */
export class SseStream {
  readonly #res: ServerResponse;
  readonly #id: string;
  readonly #options: SseStreamOptions;
  readonly #onEnd: (reason: StreamEnd) => void;
  #idle: NodeJS.Timeout | undefined;
  #lifetime: NodeJS.Timeout | undefined;
  #ended = false;

  constructor(
    res: ServerResponse,
    id: string,
    options: SseStreamOptions,
    onEnd: (reason: StreamEnd) => void,
  ) {
    this.#res = res;
    this.#id = id;
    this.#options = options;
    this.#onEnd = onEnd;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Sends the headers and `PB_CONNECT` at once. */
  open(): void {
    this.#res.on("close", () => this.#finish("client"));
    this.#res.on("error", () => this.#finish("client"));
    this.#res.socket?.setNoDelay(true);
    this.#res.socket?.setTimeout(0);
    this.#res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=UTF-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    this.#lifetime = setTimeout(() => this.close("lifetime"), this.#options.maxLifetimeMs);
    this.send("PB_CONNECT", JSON.stringify({ clientId: this.#id }));
  }

  /** Writes one event; a client with too much unread is cut off instead. */
  send(event: string, data: string): void {
    if (this.#ended) return;
    if (this.#res.writableLength > this.#options.maxBufferedBytes) {
      this.close("slow");
      return;
    }
    this.#res.write(`id:${this.#id}\nevent:${event}\ndata:${data}\n\n`);
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.close("idle"), this.#options.idleTimeoutMs);
  }

  /** Ends the stream (the SDK then reconnects, with a new client id). */
  close(reason: StreamEnd = "server"): void {
    if (this.#ended) return;
    // A slow client would hold a graceful end as long as it holds the unread bytes.
    if (reason === "slow") this.#res.destroy();
    else this.#res.end();
    this.#finish(reason);
  }

  #finish(reason: StreamEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#idle);
    clearTimeout(this.#lifetime);
    this.#onEnd(reason);
  }
}
