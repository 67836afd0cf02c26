import type { ClientFleet } from "./client-fleet.ts";
import type { MemoryReading } from "./memory-probe.ts";
import { listenOverflows, ProcessSampler, type WatchedProcess } from "./process-sampler.ts";
import type { MemoryResult, StormResult } from "./report.ts";
import type { ClientSpec, Target } from "./workload.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => Math.round(bytes / 104_857.6) / 10;
const kbEach = (bytes: number, count: number) =>
  count > 0 ? Math.round(bytes / 102.4 / count) / 10 : 0;

/** One connect storm into one server process. */
export interface StormPlan {
  target: Target;
  deployment: string;
  /** The server's URLs; every client goes to `urls[node]`. */
  urls: string[];
  node: number;
  clients: ClientSpec[];
  /** Connections being set up at once, over all client workers. */
  concurrency: number;
  /** Clients connected and closed again first, so the storm finds the server warmed up. */
  warmUp: number;
  /** Pause after the storm before memory is read. */
  settleMs: number;
  /** The server process, for the memory figures. */
  process: string;
  /** Its memory after a full garbage collection. */
  readMemory: () => Promise<MemoryReading>;
  watched: WatchedProcess[];
}

/**
 * Connects all the clients at once (`concurrency` in flight) to one server and measures clients/s
 * from the first connect to the last client with both subscriptions acknowledged; then, once
 * settled, the server's memory per connected, subscribed client (RSS and heap after a full GC,
 * minus the same before the storm, after a few clients came and went to warm the server up).
 */
export async function connectStorm(
  fleet: ClientFleet,
  plan: StormPlan,
): Promise<{ storm: StormResult; memory: MemoryResult }> {
  const warmUp = plan.clients.slice(-plan.warmUp);
  if (warmUp.length > 0) {
    await fleet.connect(plan.target, plan.urls, warmUp, {
      concurrency: plan.concurrency,
      node: plan.node,
    });
    await fleet.disconnect(
      plan.target,
      warmUp.map((spec) => spec.index),
    );
    await pause(500);
  }
  const before = await plan.readMemory();
  const sampler = new ProcessSampler(plan.watched);
  const overflows = listenOverflows();
  sampler.start();
  const answer = await fleet.connect(plan.target, plan.urls, plan.clients, {
    concurrency: plan.concurrency,
    node: plan.node,
  });
  const processes = sampler.stop();
  const added = plan.clients.length - answer.failed;
  await pause(plan.settleMs);
  const after = await plan.readMemory();
  return {
    storm: {
      target: plan.target,
      deployment: plan.deployment,
      clients: plan.clients.length,
      connected: added,
      failed: answer.failed,
      errors: answer.errors,
      concurrency: plan.concurrency,
      seconds: Math.round(answer.seconds * 100) / 100,
      perSecond: answer.seconds > 0 ? Math.round(added / answer.seconds) : 0,
      listenOverflows: listenOverflows() - overflows,
      processes,
    },
    memory: {
      target: plan.target,
      process: plan.process,
      clients: added,
      rssBeforeMb: mb(before.rss),
      rssAfterMb: mb(after.rss),
      heapBeforeMb: mb(before.heapUsed),
      heapAfterMb: mb(after.heapUsed),
      rssPerClientKb: kbEach(after.rss - before.rss, added),
      heapPerClientKb: kbEach(after.heapUsed - before.heapUsed, added),
    },
  };
}
