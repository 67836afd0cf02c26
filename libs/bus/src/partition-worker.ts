import { counterOf, METRICS } from "@tidings/telemetry";
import { backoffDelay } from "./config.ts";
import { parkMessage } from "./dead-letter.ts";
import { isRetryable, MessageFailedError, reasonOf } from "./errors.ts";
import type { LeaseDeps } from "./leases.ts";
import { toBusMessage } from "./records.ts";
import { eventConsumerSpec } from "./specs.ts";
import { Notifier, retryDelay, sleep } from "./timing.ts";
import type { Delivery } from "./transport.ts";
import type { PartitionHandler } from "./types.ts";

/** What a worker needs; shared by the workers of one partition consumer. */
export interface WorkerDeps extends LeaseDeps {
  handler: PartitionHandler;
}

/** Messages that must come back (redeliveries) before anything newer may be handled. */
interface Gate {
  need: number;
  maxSeq: number;
  seen: Set<number>;
  deadline: number;
}

type State = "running" | "stopping" | "stopped" | "aborted";

/**
 * Handles one partition while this replica holds its lease. Being the only puller of the
 * partition's consumer, it sees every message, and handles them strictly by sequence: after a
 * failure it naks the failed message and everything after it, then handles nothing newer until
 * those came back (the gate). A worker taking over from a dead replica starts with the same
 * gate for the messages the dead one left unacknowledged.
 */
export class PartitionWorker {
  readonly partition: number;
  readonly #deps: WorkerDeps;
  readonly #onFailed: () => void;
  readonly #buffer = new Map<number, Delivery>();
  readonly #wake = new Notifier();
  readonly #abort = new AbortController();
  readonly #deadLetters = counterOf(METRICS.deadLetters);
  #state: State = "running";
  #doneSeq = 0;
  #gate: Gate | undefined;
  #isolateUntil = 0;
  #holds = 0;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #run: Promise<void> = Promise.resolve();

  /** @param onFailed called if the worker dies of an unexpected error, to hand the partition on. */
  constructor(partition: number, deps: WorkerDeps, onFailed: () => void) {
    this.partition = partition;
    this.#deps = deps;
    this.#onFailed = onFailed;
  }

  start(): void {
    // Held messages stay ours: only this replica pulls the partition while it holds the lease.
    const every = Math.max(Math.floor(this.#deps.options.ackWaitMs / 3), 50);
    this.#keepalive = setInterval(() => {
      for (const delivery of this.#buffer.values()) delivery.working();
    }, every);
    this.#run = this.#main().catch((error: unknown) => {
      this.#deps.logger.error(
        { ...this.#log, reason: reasonOf(error) },
        "bus: partition worker failed",
      );
      this.#state = "stopped";
      clearInterval(this.#keepalive);
      for (const delivery of this.#buffer.values()) delivery.nak(0);
      this.#buffer.clear();
      this.#onFailed();
    });
  }

  /** Finishes the batch in hand, then hands every held message back for immediate redelivery. */
  async stop(): Promise<void> {
    if (this.#state !== "running") return this.#run;
    this.#state = "stopping";
    this.#abort.abort();
    this.#wake.notify();
    await this.#run;
    clearInterval(this.#keepalive);
    for (const delivery of this.#buffer.values()) delivery.nak(0);
    this.#buffer.clear();
    this.#state = "stopped";
  }

  /** Stops at once, acknowledging nothing: what is held is redelivered after the ack wait. */
  abort(): void {
    this.#state = "aborted";
    this.#abort.abort();
    this.#wake.notify();
    clearInterval(this.#keepalive);
    this.#buffer.clear();
  }

  get #running(): boolean {
    return this.#state === "running";
  }

  get #log(): { partition: number; group: string } {
    return { partition: this.partition, group: this.#deps.options.group };
  }

  async #main(): Promise<void> {
    await this.#openGate();
    const pulling = this.#pullLoop();
    await this.#processLoop();
    await pulling;
  }

  async #openGate(): Promise<void> {
    const { transport, names, options } = this.#deps;
    const spec = eventConsumerSpec(names, options, this.partition);
    for (let failures = 1; this.#running; failures++) {
      try {
        const state = await transport.consumerState(spec.stream, spec.name);
        if (state.numAckPending > 0) {
          const wait = options.ackWaitMs + Math.max(...options.backoff) + 1_000;
          this.#gate = {
            need: state.numAckPending,
            maxSeq: state.deliveredStreamSeq,
            seen: new Set(),
            deadline: Date.now() + wait,
          };
          this.#deps.logger.info(
            { ...this.#log, unacknowledged: state.numAckPending },
            "bus: took over a partition; its unacknowledged messages go first",
          );
        }
        return;
      } catch (error) {
        await transport.ensureConsumer(spec).catch(() => {});
        if (failures === 1)
          this.#deps.logger.warn(
            { ...this.#log, reason: reasonOf(error) },
            "bus: consumer state unavailable",
          );
        await sleep(retryDelay(failures), this.#abort.signal);
      }
    }
  }

  async #pullLoop(): Promise<void> {
    const { transport, names, options, logger } = this.#deps;
    const spec = eventConsumerSpec(names, options, this.partition);
    const request = {
      max: options.batchSize,
      expiresMs: options.pollMs,
      signal: this.#abort.signal,
    };
    let failures = 0;
    while (this.#running) {
      try {
        await transport.pull(spec.stream, spec.name, request, (delivery) =>
          this.#receive(delivery),
        );
        failures = 0;
      } catch (error) {
        if (!this.#running) break;
        failures++;
        if (failures === 1 || failures % 20 === 0) {
          logger.warn(
            { ...this.#log, failures, reason: reasonOf(error) },
            "bus: pull failed; retrying",
          );
        }
        await sleep(retryDelay(failures), this.#abort.signal);
        // The consumer may be gone (deleted, or a server that lost its state): recreate it,
        // from just after what this worker finished if it knows, else from the stream's start.
        const from = this.#doneSeq > 0 ? { startSeq: this.#doneSeq + 1 } : {};
        if (transport.connected)
          await transport.ensureConsumer({ ...spec, ...from }).catch(() => {});
      }
    }
  }

  #receive(delivery: Delivery): void {
    if (this.#state === "aborted") return;
    if (this.#state !== "running") {
      delivery.nak(0);
      return;
    }
    if (delivery.seq <= this.#doneSeq) {
      delivery.ack();
      return;
    }
    this.#buffer.set(delivery.seq, delivery);
    if (this.#gate && delivery.seq <= this.#gate.maxSeq) this.#gate.seen.add(delivery.seq);
    this.#wake.notify();
  }

  async #processLoop(): Promise<void> {
    const { options, logger } = this.#deps;
    while (this.#running) {
      if (this.#buffer.size === 0) {
        await this.#wake.wait(options.pollMs);
        continue;
      }
      const gate = this.#gate;
      if (gate) {
        const now = Date.now();
        if (gate.seen.size < gate.need && now < gate.deadline) {
          await this.#wake.wait(Math.min(gate.deadline - now, 1_000));
          continue;
        }
        if (gate.seen.size < gate.need) {
          logger.warn(
            { ...this.#log, missing: gate.need - gate.seen.size },
            "bus: not every redelivery came back; going on",
          );
        }
        this.#gate = undefined;
      }
      // Let the rest of a burst that is still arriving join the batch.
      if (this.#buffer.size < options.batchSize)
        await new Promise((resolve) => setImmediate(resolve));
      if (!this.#running) break;
      const held = [...this.#buffer.values()].sort((a, b) => a.seq - b.seq);
      const head = held[0]!;
      if (head.deliveryCount > 2 * options.maxDeliver) {
        // Delivered again and again with no outcome: it probably kills whoever handles it.
        await this.#park(head, `delivered ${head.deliveryCount} times without an outcome`);
        continue;
      }
      const size = head.seq <= this.#isolateUntil ? 1 : options.batchSize;
      await this.#handle(held.slice(0, size));
    }
  }

  async #handle(batch: Delivery[]): Promise<void> {
    let failed = false;
    let failure: unknown;
    try {
      await this.#deps.handler(
        batch.map((delivery) => toBusMessage(delivery, this.partition)),
        this.partition,
      );
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (this.#state === "aborted") return;
    if (!failed) {
      this.#settle(batch, "ack");
      this.#holds = 0;
      return;
    }
    // While stopping, the batch goes back with everything else held.
    if (this.#running) await this.#fail(batch, failure);
  }

  async #fail(batch: Delivery[], error: unknown): Promise<void> {
    const { options, logger } = this.#deps;
    if (isRetryable(error)) {
      const delayMs = backoffDelay(options.backoff, ++this.#holds);
      logger.warn(
        {
          ...this.#log,
          seq: batch[0]!.seq,
          attempt: this.#holds,
          delayMs,
          reason: reasonOf(error),
        },
        "bus: handler failed with a retryable error; holding the batch",
      );
      await sleep(delayMs, this.#abort.signal);
      return;
    }
    this.#holds = 0;
    const cause =
      error instanceof MessageFailedError && error.cause !== undefined ? error.cause : error;
    const reason = reasonOf(cause);
    let index: number | undefined;
    if (error instanceof MessageFailedError && error.index >= 0 && error.index < batch.length) {
      index = error.index;
    } else if (batch.length === 1) {
      index = 0;
    }
    if (index === undefined) {
      // Unknown culprit: redeliver the whole batch, then go one message at a time to find it.
      this.#isolateUntil = batch.at(-1)!.seq;
      const deliveries = Math.max(...batch.map((delivery) => delivery.deliveryCount));
      this.#nakFrom(batch[0]!, backoffDelay(options.backoff, deliveries), reason);
      return;
    }
    this.#settle(batch.slice(0, index), "ack");
    const culprit = batch[index]!;
    if (culprit.deliveryCount >= options.maxDeliver) {
      await this.#park(culprit, reason);
      return;
    }
    this.#nakFrom(culprit, backoffDelay(options.backoff, culprit.deliveryCount), reason);
  }

  /** Naks `first` and every later held message, and gates until they are all back. */
  #nakFrom(first: Delivery, delayMs: number, reason: string): void {
    const later = [...this.#buffer.values()].filter((delivery) => delivery.seq >= first.seq);
    for (const delivery of later) {
      delivery.nak(delayMs);
      this.#buffer.delete(delivery.seq);
    }
    this.#gate = {
      need: later.length,
      maxSeq: Math.max(...later.map((delivery) => delivery.seq)),
      seen: new Set(),
      deadline: Date.now() + delayMs + this.#deps.options.ackWaitMs + 1_000,
    };
    this.#deps.logger.warn(
      { ...this.#log, seq: first.seq, deliveries: first.deliveryCount, delayMs, reason },
      "bus: handler failed; redelivering after a delay",
    );
  }

  async #park(delivery: Delivery, reason: string): Promise<void> {
    const { transport, names, options, logger, publishTimeoutMs } = this.#deps;
    try {
      const dlqSeq = await parkMessage(
        transport,
        names,
        delivery,
        this.partition,
        reason,
        publishTimeoutMs,
      );
      this.#settle([delivery], "term");
      this.#deadLetters.add(1);
      logger.error(
        {
          ...this.#log,
          subject: delivery.subject,
          seq: delivery.seq,
          deliveries: delivery.deliveryCount,
          dlqSubject: names.subjects.dlq(this.partition),
          dlqSeq,
          reason,
        },
        "bus: message parked on the dead-letter subject",
      );
    } catch (error) {
      const delayMs = backoffDelay(options.backoff, ++this.#holds);
      logger.warn(
        { ...this.#log, seq: delivery.seq, delayMs, reason: reasonOf(error) },
        "bus: could not park a message; holding it",
      );
      await sleep(delayMs, this.#abort.signal);
    }
  }

  #settle(deliveries: Delivery[], how: "ack" | "term"): void {
    for (const delivery of deliveries) {
      const current = this.#buffer.get(delivery.seq);
      for (const copy of new Set([delivery, current])) {
        if (copy && how === "ack") copy.ack();
        else if (copy) copy.term();
      }
      this.#buffer.delete(delivery.seq);
      this.#doneSeq = Math.max(this.#doneSeq, delivery.seq);
    }
  }
}
