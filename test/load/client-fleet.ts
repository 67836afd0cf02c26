import { type Child, forkChild } from "./child-rpc.ts";
import type { WorkerHandlers } from "./client-worker.ts";
import { LatencyHistogram } from "./latency-histogram.ts";
import { type ReceiptCounts, zeroCounts } from "./receipt-check.ts";
import type { ClientSpec, FeedName, Target, WriteEntry } from "./workload.ts";

const WORKER = new URL("./client-worker.ts", import.meta.url);

/** What all clients of a target received in a step. */
export interface FleetCheck extends ReceiptCounts {
  clients: number;
  received: number;
  stray: number;
  seqDropped: number;
  disconnected: number;
  resyncs: number;
  reconnectFailures: number;
  reconnectErrors: string[];
  /** First and last arrival at any client (clock.ts); 0 when nothing arrived. */
  firstAt: number;
  lastAt: number;
  latency: LatencyHistogram;
  pipeline: LatencyHistogram;
}

/** The outcome of connecting clients: how many, how fast, and the first errors. */
export interface ConnectAnswer {
  connected: number;
  failed: number;
  errors: string[];
  /** From the first worker's start to the last client subscribed, in seconds. */
  seconds: number;
}

const SUMMED = [
  "clients",
  "received",
  "stray",
  "seqDropped",
  "disconnected",
  "resyncs",
  "reconnectFailures",
  ...(Object.keys(zeroCounts()) as (keyof ReceiptCounts)[]),
] as const;

/** The client side of the bench: worker processes, each holding a share of the connections. */
export class ClientFleet {
  readonly workers: Child<WorkerHandlers>[];

  constructor(workers: number) {
    this.workers = Array.from({ length: workers }, (_, i) =>
      forkChild<WorkerHandlers>(WORKER, `client-${i + 1}`),
    );
  }

  #each<T>(run: (worker: Child<WorkerHandlers>, index: number) => Promise<T>): Promise<T[]> {
    return Promise.all(this.workers.map(run));
  }

  /**
   * Connects the clients, `concurrency` at a time over all workers (client `index` goes to worker
   * `index % workers`, and to `urls[node]`, or without `node` to `urls[index % urls.length]`).
   */
  async connect(
    target: Target,
    urls: string[],
    clients: ClientSpec[],
    options: { concurrency?: number; node?: number } = {},
  ): Promise<ConnectAnswer> {
    const concurrency = Math.max(1, Math.ceil((options.concurrency ?? 128) / this.workers.length));
    const answers = await this.#each((worker, w) =>
      worker.call("connect", {
        target,
        urls,
        clients: clients.filter((client) => client.index % this.workers.length === w),
        node: options.node,
        concurrency,
      }),
    );
    return {
      connected: answers.reduce((sum, answer) => sum + answer.connected, 0),
      failed: answers.reduce((sum, answer) => sum + answer.failed, 0),
      errors: answers.flatMap((answer) => answer.errors).slice(0, 5),
      seconds:
        (Math.max(...answers.map((a) => a.endedAt)) -
          Math.min(...answers.map((a) => a.startedAt))) /
        1000,
    };
  }

  async begin(target: Target, step: number, feed: FeedName): Promise<void> {
    await this.#each((worker) => worker.call("begin", { target, step, feed }));
  }

  async received(target: Target): Promise<number> {
    const counts = await this.#each((worker) => worker.call("progress", { target }));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Every client held: its index and the node (index into the URLs) it is connected to. */
  async placement(target: Target): Promise<(readonly [number, number])[]> {
    const parts = await this.#each((worker) => worker.call("placement", { target }));
    return parts.flat();
  }

  /** For every client that lost its connection in this step: when, and when it had resumed. */
  async resumes(target: Target): Promise<{ lostAt: number[]; resumedAt: number[] }> {
    const parts = await this.#each((worker) => worker.call("resumes", { target }));
    return {
      lostAt: parts.flatMap((part) => part.lostAt),
      resumedAt: parts.flatMap((part) => part.resumedAt),
    };
  }

  async check(target: Target, writes: WriteEntry[]): Promise<FleetCheck> {
    const parts = await this.#each((worker) => worker.call("check", { target, writes }));
    const total = {
      ...Object.fromEntries(SUMMED.map((key) => [key, 0])),
      reconnectErrors: [] as string[],
      firstAt: 0,
      lastAt: 0,
      latency: new LatencyHistogram(),
      pipeline: new LatencyHistogram(),
    } as FleetCheck;
    for (const part of parts) {
      for (const key of SUMMED) total[key] += part[key];
      total.reconnectErrors.push(...part.reconnectErrors);
      if (part.firstAt > 0)
        total.firstAt = total.firstAt === 0 ? part.firstAt : Math.min(total.firstAt, part.firstAt);
      total.lastAt = Math.max(total.lastAt, part.lastAt);
      total.latency.merge(part.latency);
      total.pipeline.merge(part.pipeline);
    }
    total.reconnectErrors = total.reconnectErrors.slice(0, 5);
    return total;
  }

  /** Closes the clients with these indexes, or all of them. */
  async disconnect(target: Target, indexes?: number[]): Promise<void> {
    await this.#each((worker, w) =>
      worker.call("disconnect", {
        target,
        indexes: indexes?.filter((index) => index % this.workers.length === w),
      }),
    );
  }

  async stop(): Promise<void> {
    await this.#each((worker) => worker.stop());
  }
}
