import { BarrierTimeoutError, BusStateError, isRetryable, reasonOf } from "./errors.ts";
import { toRecord } from "./records.ts";
import { retryDelay, sleep } from "./timing.ts";
import type { StoredMessage, Transport } from "./transport.ts";
import type { BusLogger, Tail, TailHandler } from "./types.ts";

const HANDLER_ATTEMPTS = 3;

interface Waiter {
  seq: number;
  resolve: () => void;
}

/**
 * Reads a whole stream in order from a sequence on, through its own ordered consumer: every
 * replica running a tail sees every message (fan-out). `sync()` is the barrier an evaluator
 * passes before handling events: everything published to the stream so far has been applied.
 */
export class BusTail implements Tail {
  readonly #transport: Transport;
  readonly #stream: string;
  readonly #handler: TailHandler;
  readonly #logger: BusLogger;
  readonly #abort = new AbortController();
  #position: number;
  #waiters: Waiter[] = [];
  #state: "idle" | "running" | "stopped" = "idle";
  #run: Promise<void> = Promise.resolve();

  constructor(
    transport: Transport,
    stream: string,
    fromSeq: number,
    handler: TailHandler,
    logger: BusLogger,
  ) {
    this.#transport = transport;
    this.#stream = stream;
    this.#handler = handler;
    this.#logger = logger;
    this.#position = Math.max(fromSeq, 1) - 1;
  }

  position(): number {
    return this.#position;
  }

  async start(): Promise<void> {
    if (this.#state !== "idle") throw new BusStateError("a tail starts once");
    this.#state = "running";
    this.#run = this.#loop();
  }

  async stop(): Promise<void> {
    if (this.#state !== "running") return;
    this.#state = "stopped";
    this.#abort.abort();
    await this.#run;
  }

  waitFor(seq: number, timeoutMs = 10_000): Promise<void> {
    if (this.#position >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        seq,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new BarrierTimeoutError(seq, this.#position, timeoutMs));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  async sync(timeoutMs = 10_000): Promise<number> {
    const state = await this.#transport.streamState(this.#stream);
    // An emptied stream (everything expired) has nothing left to apply.
    if (state.messages > 0) await this.waitFor(state.lastSeq, timeoutMs);
    return state.lastSeq;
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    while (this.#state === "running") {
      const from = this.#position;
      try {
        await this.#transport.follow(
          this.#stream,
          from + 1,
          (message) => this.#apply(message),
          signal,
        );
      } catch (error) {
        if (this.#state !== "running") return;
        failures = this.#position > from ? 1 : failures + 1;
        if (failures === 1 || failures % 20 === 0) {
          this.#logger.warn(
            { stream: this.#stream, failures, reason: reasonOf(error) },
            "bus: tail broke; resuming",
          );
        }
        await sleep(retryDelay(failures), signal);
      }
    }
  }

  async #apply(message: StoredMessage): Promise<void> {
    if (message.seq <= this.#position) return;
    const record = toRecord(message);
    // A retryable failure (a dependency is down) is retried for as long as it lasts: skipping a
    // delta would leave the index without it. Other failures are given up after a few attempts.
    for (let attempt = 1; !this.#abort.signal.aborted; attempt++) {
      try {
        await this.#handler(record);
        break;
      } catch (error) {
        const fields = { stream: this.#stream, seq: message.seq, attempt, reason: reasonOf(error) };
        if (attempt >= HANDLER_ATTEMPTS && !isRetryable(error)) {
          this.#logger.error(fields, "bus: tail handler kept failing; skipping the message");
          break;
        }
        this.#logger.warn(fields, "bus: tail handler failed; retrying");
        await sleep(retryDelay(attempt), this.#abort.signal);
      }
    }
    this.#position = message.seq;
    const ready = this.#waiters.filter((waiter) => waiter.seq <= message.seq);
    this.#waiters = this.#waiters.filter((waiter) => waiter.seq > message.seq);
    for (const waiter of ready) waiter.resolve();
  }
}
