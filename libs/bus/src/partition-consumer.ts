import { BusStateError, ResourceMissingError, reasonOf } from "./errors.ts";
import { acquireLease, ensureLease, Lease } from "./leases.ts";
import { Membership } from "./membership.ts";
import { PartitionWorker, type WorkerDeps } from "./partition-worker.ts";
import { eventConsumerSpec } from "./specs.ts";
import { retryDelay, sleep } from "./timing.ts";
import type { Delivery } from "./transport.ts";
import type { PartitionConsumer, PartitionLag } from "./types.ts";

interface Held {
  worker: PartitionWorker;
  lease: Lease;
  releasing: boolean;
}

/**
 * This replica's side of a consumer group. Each partition is held by one replica at a time
 * through a lease; the holder alone pulls the partition's durable consumer, so it is handled
 * in stream order even though `max_ack_pending` lets a whole batch be in flight. Replicas aim
 * at ceil(partitions / replicas) each: one above its share hands partitions over, one below
 * waits for tokens.
 */
export class PartitionConsumerImpl implements PartitionConsumer {
  readonly #deps: WorkerDeps;
  readonly #partitions: number;
  readonly #membership: Membership;
  readonly #held = new Map<number, Held>();
  readonly #acquiring = new Map<number, Promise<void>>();
  readonly #abort = new AbortController();
  #state: "idle" | "running" | "stopped" = "idle";
  #timer: ReturnType<typeof setInterval> | undefined;
  #unsubscribe: () => void = () => {};

  constructor(deps: WorkerDeps, partitions: number) {
    this.#deps = deps;
    this.#partitions = partitions;
    const { names, options, transport } = deps;
    this.#membership = new Membership(
      transport,
      names.members(options.group),
      options.heartbeatMs,
      () => this.#balance(),
    );
  }

  owned(): number[] {
    return [...this.#held]
      .filter(([, held]) => !held.releasing)
      .map(([partition]) => partition)
      .sort((a, b) => a - b);
  }

  async pending(): Promise<Map<number, PartitionLag>> {
    const { transport, names, options } = this.#deps;
    const lags = new Map<number, PartitionLag>();
    await Promise.all(
      this.owned().map(async (partition) => {
        const spec = eventConsumerSpec(names, options, partition);
        const state = await transport.consumerState(spec.stream, spec.name).catch(() => undefined);
        if (state)
          lags.set(partition, { pending: state.numPending, ackPending: state.numAckPending });
      }),
    );
    return lags;
  }

  /** Creates (or updates) the partitions' consumers and leases, then starts taking a share. */
  async start(): Promise<void> {
    if (this.#state !== "idle") throw new BusStateError("a partition consumer starts once");
    const { transport, names, options } = this.#deps;
    await Promise.all(
      Array.from({ length: this.#partitions }, async (_, partition) => {
        await transport.ensureConsumer(eventConsumerSpec(names, options, partition));
        await ensureLease(this.#deps, partition);
      }),
    );
    this.#state = "running";
    this.#membership.start();
    this.#unsubscribe = transport.onReconnect(() => {
      for (const held of this.#held.values()) void held.lease.verify();
    });
    this.#timer = setInterval(() => this.#balance(), options.heartbeatMs);
    this.#balance();
  }

  /** Finishes the batches in hand, hands every partition over, and leaves the group. */
  async stop(): Promise<void> {
    if (this.#state !== "running") return;
    this.#state = "stopped";
    this.#shutdown();
    await Promise.all(
      [...this.#held.values()].map(async (held) => {
        await held.worker.stop();
        held.lease.release();
      }),
    );
    this.#held.clear();
    await Promise.all(this.#acquiring.values());
    this.#membership.stop(true);
  }

  /** Stops at once without acknowledging or handing over, as a crash would. */
  abort(): void {
    if (this.#state !== "running") return;
    this.#state = "stopped";
    this.#shutdown();
    for (const held of this.#held.values()) {
      held.worker.abort();
      held.lease.abandon();
    }
    this.#held.clear();
    this.#membership.stop(false);
  }

  #shutdown(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
    this.#abort.abort();
  }

  #target(): number {
    return Math.ceil(this.#partitions / this.#membership.count());
  }

  #active(): number {
    return this.owned().length;
  }

  #balance(): void {
    if (this.#state !== "running") return;
    const target = this.#target();
    let excess = this.#active() - target;
    for (const [partition, held] of [...this.#held].reverse()) {
      if (excess <= 0) break;
      if (held.releasing) continue;
      excess--;
      void this.#letGo(partition, held, true);
    }
    if (this.#active() >= target) return;
    for (let partition = 0; partition < this.#partitions; partition++) {
      if (!this.#held.has(partition) && !this.#acquiring.has(partition)) {
        this.#acquiring.set(partition, this.#acquire(partition));
      }
    }
  }

  #wants(partition: number): boolean {
    return (
      this.#state === "running" && !this.#held.has(partition) && this.#active() < this.#target()
    );
  }

  async #acquire(partition: number): Promise<void> {
    const { logger, options } = this.#deps;
    let failures = 0;
    try {
      while (this.#wants(partition)) {
        try {
          const token = await acquireLease(this.#deps, partition, this.#abort.signal);
          failures = 0;
          if (!token) continue;
          if (!this.#wants(partition)) {
            token.nak(0);
            return;
          }
          this.#hold(partition, token);
        } catch (error) {
          if (this.#state !== "running") return;
          failures++;
          if (failures === 1) {
            logger.warn(
              { partition, group: options.group, reason: reasonOf(error) },
              "bus: lease pull failed; retrying",
            );
          }
          await sleep(retryDelay(failures), this.#abort.signal);
          if (error instanceof ResourceMissingError)
            await ensureLease(this.#deps, partition).catch(() => {});
        }
      }
    } finally {
      this.#acquiring.delete(partition);
    }
  }

  #hold(partition: number, token: Delivery): void {
    const lease = new Lease(partition, token, this.#deps, () => {
      const held = this.#held.get(partition);
      if (held?.lease === lease) void this.#letGo(partition, held, false);
    });
    const worker = new PartitionWorker(partition, this.#deps, () => {
      const held = this.#held.get(partition);
      if (held?.worker === worker) void this.#letGo(partition, held, true);
    });
    this.#held.set(partition, { worker, lease, releasing: false });
    lease.start();
    worker.start();
    this.#deps.logger.info(
      { partition, group: this.#deps.options.group },
      "bus: holding a partition",
    );
  }

  /** Stops the partition's worker; `handOver` gives the token back at once (else it was lost). */
  async #letGo(partition: number, held: Held, handOver: boolean): Promise<void> {
    held.releasing = true;
    await held.worker.stop();
    if (handOver) held.lease.release();
    if (this.#held.get(partition) === held) this.#held.delete(partition);
    this.#deps.logger.info(
      { partition, group: this.#deps.options.group },
      "bus: let go of a partition",
    );
    this.#balance();
  }
}
