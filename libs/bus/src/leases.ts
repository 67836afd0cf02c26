import type { ResolvedConsumeOptions } from "./config.ts";
import { ExpectationFailedError, ResourceMissingError, reasonOf } from "./errors.ts";
import type { BusNames } from "./naming.ts";
import { leaseConsumerSpec } from "./specs.ts";
import type { Delivery, Transport } from "./transport.ts";
import type { BusLogger } from "./types.ts";

/** What leases need. */
export interface LeaseDeps {
  transport: Transport;
  names: BusNames;
  options: ResolvedConsumeOptions;
  logger: BusLogger;
  publishTimeoutMs: number;
}

/**
 * Creates a partition's lease: its consumer (max one unacknowledged delivery, ack wait =
 * `leaseMs`) and its single token message (published only if the subject is still empty, so
 * replicas starting together create one token, not several).
 */
export async function ensureLease(deps: LeaseDeps, partition: number): Promise<void> {
  const { transport, names, options } = deps;
  await transport.ensureConsumer(leaseConsumerSpec(names, options, partition));
  try {
    await transport.publish(names.lease(options.group, partition), new Uint8Array(), {
      expectLastSubjectSeq: 0,
      timeoutMs: deps.publishTimeoutMs,
    });
  } catch (error) {
    if (!(error instanceof ExpectationFailedError)) throw error;
  }
}

/** Waits up to `pollMs` for a partition's token; the replica that gets it holds the partition. */
export async function acquireLease(
  deps: LeaseDeps,
  partition: number,
  signal: AbortSignal,
): Promise<Delivery | undefined> {
  const spec = leaseConsumerSpec(deps.names, deps.options, partition);
  let token: Delivery | undefined;
  await deps.transport.pull(
    spec.stream,
    spec.name,
    { max: 1, expiresMs: deps.options.pollMs, signal },
    (delivery) => {
      token = delivery;
    },
  );
  return token;
}

/**
 * A held partition: the token delivery, kept unacknowledged and renewed with `working()`. If
 * this replica dies, JetStream redelivers the token after `leaseMs` to a waiting replica; a
 * replica that was cut off notices (the consumer delivered the token again since) and lets go.
 */
export class Lease {
  readonly partition: number;
  readonly #token: Delivery;
  readonly #deps: LeaseDeps;
  readonly #onLost: (lease: Lease) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lost = false;
  #verifying = false;

  constructor(partition: number, token: Delivery, deps: LeaseDeps, onLost: (lease: Lease) => void) {
    this.partition = partition;
    this.#token = token;
    this.#deps = deps;
    this.#onLost = onLost;
  }

  get lost(): boolean {
    return this.#lost;
  }

  start(): void {
    this.#timer = setInterval(
      () => {
        this.#token.working();
        void this.verify();
      },
      Math.max(Math.floor(this.#deps.options.leaseMs / 3), 20),
    );
  }

  /** Checks that the token's last delivery is still ours. */
  async verify(): Promise<void> {
    if (this.#lost || this.#verifying) return;
    this.#verifying = true;
    const spec = leaseConsumerSpec(this.#deps.names, this.#deps.options, this.partition);
    try {
      const state = await this.#deps.transport.consumerState(spec.stream, spec.name);
      if (state.deliveredConsumerSeq !== this.#token.deliverySeq)
        this.#lose("delivered to another replica");
    } catch (error) {
      // Unreachable: we cannot tell, and nobody can take the token while we renew it.
      if (error instanceof ResourceMissingError) this.#lose(reasonOf(error));
    } finally {
      this.#verifying = false;
    }
  }

  /** Gives the partition back at once (another replica's pull gets the token). */
  release(): void {
    clearInterval(this.#timer);
    if (!this.#lost) this.#token.nak(0);
    this.#lost = true;
  }

  /** Stops renewing without giving back, as a crash would. */
  abandon(): void {
    clearInterval(this.#timer);
    this.#lost = true;
  }

  #lose(reason: string): void {
    if (this.#lost) return;
    this.#lost = true;
    clearInterval(this.#timer);
    this.#deps.logger.warn(
      { partition: this.partition, group: this.#deps.options.group, reason },
      "bus: lost a partition lease",
    );
    this.#onLost(this);
  }
}
