import type {
  ConsumerSpec,
  ConsumerState,
  Delivery,
  PullRequest,
  StoredMessage,
} from "../transport.ts";
import type { MemoryStream } from "./memory-stream.ts";

interface Pending {
  deliveryCount: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface Waiting {
  client: object;
  remaining: number;
  deliver: (delivery: Delivery) => void;
  finish: () => void;
}

/** A client whose deliveries may be acknowledged; a closed one can no longer do so. */
export interface ConsumerClient {
  readonly closed: boolean;
}

/**
 * A durable pull consumer in memory, as JetStream runs one: deliveries wait for an ack until
 * `ackWaitMs`, naks with a delay come back after it, redeliveries (oldest first) go before new
 * messages, and no new message is delivered while `maxAckPending` are unacknowledged.
 */
export class MemoryConsumer {
  #spec: ConsumerSpec;
  readonly #stream: MemoryStream;
  #cursor = 1;
  #deliveredConsumerSeq = 0;
  readonly #pending = new Map<number, Pending>();
  #redeliver: number[] = [];
  #waiting: Waiting[] = [];
  #dispatching = false;
  #again = false;
  readonly #unsubscribe: () => void;

  constructor(spec: ConsumerSpec, stream: MemoryStream) {
    this.#spec = spec;
    this.#stream = stream;
    this.#cursor = Math.max(spec.startSeq ?? 1, 1);
    this.#unsubscribe = stream.onAppend(() => this.#dispatch());
  }

  update(spec: ConsumerSpec): void {
    this.#spec = spec;
    this.#dispatch();
  }

  state(): ConsumerState {
    return {
      numAckPending: this.#pending.size,
      numPending: this.#stream.count(this.#cursor, this.#spec.filterSubject),
      deliveredStreamSeq: this.#cursor - 1,
      deliveredConsumerSeq: this.#deliveredConsumerSeq,
    };
  }

  pull(
    client: ConsumerClient,
    request: PullRequest,
    onDelivery: (d: Delivery) => void,
  ): Promise<void> {
    if (request.signal.aborted || client.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting: Waiting = {
        client,
        remaining: request.max,
        deliver: onDelivery,
        finish: () => {
          clearTimeout(timer);
          request.signal.removeEventListener("abort", waiting.finish);
          this.#waiting = this.#waiting.filter((w) => w !== waiting);
          resolve();
        },
      };
      const timer = setTimeout(waiting.finish, request.expiresMs);
      request.signal.addEventListener("abort", waiting.finish, { once: true });
      this.#waiting.push(waiting);
      this.#dispatch();
    });
  }

  /** Forgets the waiting pulls of a client that went away. */
  dropClient(client: object): void {
    for (const waiting of this.#waiting.filter((w) => w.client === client)) waiting.finish();
  }

  close(): void {
    this.#unsubscribe();
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    for (const waiting of [...this.#waiting]) waiting.finish();
  }

  #dispatch(): void {
    if (this.#dispatching) {
      this.#again = true;
      return;
    }
    this.#dispatching = true;
    try {
      do {
        this.#again = false;
        while (this.#waiting.length > 0 && this.#deliverOne()) {}
      } while (this.#again);
    } finally {
      this.#dispatching = false;
    }
  }

  #deliverOne(): boolean {
    const waiting = this.#waiting[0]!;
    let message: StoredMessage | undefined;
    while (!message && this.#redeliver.length > 0) {
      const seq = this.#redeliver.shift()!;
      message = this.#stream.get(seq);
      // Trimmed by retention while waiting for redelivery: JetStream drops it as well.
      if (!message) this.#pending.delete(seq);
    }
    if (!message) {
      if (this.#pending.size >= this.#spec.maxAckPending) return false;
      message = this.#stream.nextFrom(this.#cursor, this.#spec.filterSubject);
      if (!message) return false;
      this.#cursor = message.seq + 1;
      this.#pending.set(message.seq, { deliveryCount: 0, timer: undefined });
    }
    const pending = this.#pending.get(message.seq)!;
    pending.deliveryCount++;
    this.#arm(message.seq, pending, this.#spec.ackWaitMs);
    const deliverySeq = ++this.#deliveredConsumerSeq;
    waiting.remaining--;
    if (waiting.remaining === 0) waiting.finish();
    waiting.deliver(
      this.#delivery(waiting.client as ConsumerClient, message, pending, deliverySeq),
    );
    return true;
  }

  #delivery(
    client: ConsumerClient,
    message: StoredMessage,
    pending: Pending,
    deliverySeq: number,
  ): Delivery {
    const { seq } = message;
    const live = () => !client.closed && this.#pending.get(seq) !== undefined;
    return {
      subject: message.subject,
      seq,
      data: message.data,
      headers: { ...message.headers },
      time: message.time,
      deliveryCount: pending.deliveryCount,
      deliverySeq,
      ack: () => {
        if (!client.closed) this.#settle(seq);
      },
      term: () => {
        if (!client.closed) this.#settle(seq);
      },
      nak: (delayMs) => {
        const current = this.#pending.get(seq);
        if (!live() || !current || this.#redeliver.includes(seq)) return;
        this.#arm(seq, current, delayMs);
      },
      working: () => {
        const current = this.#pending.get(seq);
        if (!live() || !current || this.#redeliver.includes(seq)) return;
        this.#arm(seq, current, this.#spec.ackWaitMs);
      },
    };
  }

  #arm(seq: number, pending: Pending, ms: number): void {
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => this.#expire(seq), ms);
    pending.timer.unref?.();
  }

  #expire(seq: number): void {
    if (!this.#pending.has(seq) || this.#redeliver.includes(seq)) return;
    this.#redeliver.push(seq);
    this.#redeliver.sort((a, b) => a - b);
    this.#dispatch();
  }

  #settle(seq: number): void {
    const pending = this.#pending.get(seq);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(seq);
    this.#redeliver = this.#redeliver.filter((s) => s !== seq);
    this.#dispatch();
  }
}
