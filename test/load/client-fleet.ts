import { type Child, forkChild } from "./child-rpc.ts";
import type { WorkerHandlers } from "./client-worker.ts";
import { LatencyHistogram } from "./latency-histogram.ts";
import type { ReceiptCounts } from "./receipt-check.ts";
import type { ClientSpec, FeedName, Target, WriteEntry } from "./workload.ts";

const WORKER = new URL("./client-worker.ts", import.meta.url);

/** What all clients of a target received in a step. */
export interface FleetCheck extends ReceiptCounts {
  clients: number;
  received: number;
  stray: number;
  disconnected: number;
  /** First and last arrival at any client (clock.ts); 0 when nothing arrived. */
  firstAt: number;
  lastAt: number;
  latency: LatencyHistogram;
  pipeline: LatencyHistogram;
}

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
   * Connects the clients (client `index` goes to worker `index % workers` and to
   * `urls[index % urls.length]`); returns how many are connected in all and the first errors.
   */
  async connect(target: Target, urls: string[], clients: ClientSpec[], concurrency = 32) {
    const answers = await this.#each((worker, w) =>
      worker.call("connect", {
        target,
        urls,
        clients: clients.filter((client) => client.index % this.workers.length === w),
        concurrency,
      }),
    );
    return {
      connected: answers.reduce((sum, answer) => sum + answer.connected, 0),
      failed: answers.reduce((sum, answer) => sum + answer.failed, 0),
      errors: answers.flatMap((answer) => answer.errors).slice(0, 5),
    };
  }

  async begin(target: Target, step: number, feed: FeedName): Promise<void> {
    await this.#each((worker) => worker.call("begin", { target, step, feed }));
  }

  async received(target: Target): Promise<number> {
    const counts = await this.#each((worker) => worker.call("progress", { target }));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async check(target: Target, writes: WriteEntry[]): Promise<FleetCheck> {
    const parts = await this.#each((worker) => worker.call("check", { target, writes }));
    const latency = new LatencyHistogram();
    const pipeline = new LatencyHistogram();
    const total: FleetCheck = {
      clients: 0,
      received: 0,
      stray: 0,
      disconnected: 0,
      expected: 0,
      missing: 0,
      duplicate: 0,
      leaked: 0,
      unconfirmed: 0,
      firstAt: 0,
      lastAt: 0,
      latency,
      pipeline,
    };
    for (const part of parts) {
      for (const key of [
        "clients",
        "received",
        "stray",
        "disconnected",
        "expected",
        "missing",
        "duplicate",
        "leaked",
        "unconfirmed",
      ] as const)
        total[key] += part[key];
      if (part.firstAt > 0)
        total.firstAt = total.firstAt === 0 ? part.firstAt : Math.min(total.firstAt, part.firstAt);
      total.lastAt = Math.max(total.lastAt, part.lastAt);
      latency.merge(part.latency);
      pipeline.merge(part.pipeline);
    }
    return total;
  }

  async disconnect(target: Target): Promise<void> {
    await this.#each((worker) => worker.call("disconnect", { target }));
  }

  async stop(): Promise<void> {
    await this.#each((worker) => worker.stop());
  }
}
