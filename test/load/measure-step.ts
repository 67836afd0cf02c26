import { loadavg } from "node:os";
import type { Child } from "./child-rpc.ts";
import type { ClientFleet } from "./client-fleet.ts";
import { cpuSecondsOf, ProcessSampler, type WatchedProcess } from "./process-sampler.ts";
import type { StepKind, StepResult } from "./report.ts";
import { type Action, deliveryOf, type FeedName, type Target, type WriteMix } from "./workload.ts";
import type { WriteLog, WriterHandlers } from "./writer.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a step runs against: the clients, the writer, and the deployment's processes. */
export interface Rig {
  deployment: string;
  fleet: ClientFleet;
  writer: Child<WriterHandlers>;
  /** Where the writes go (records replicas, a single node, or the baseline server). */
  writeUrls: string[];
  /** Every process to measure: the deployment's (role `system`) and the bench's own. */
  watched: () => WatchedProcess[];
  /** Numbers the steps of the whole run. */
  nextStep: () => number;
}

/** One step's plan. */
export interface StepPlan {
  kind: StepKind;
  target: Target;
  feed: FeedName;
  clients: number;
  rate: number;
  seconds: number;
  mix: WriteMix;
  activeShare: number;
  /** Runs beside the writes (the kill step's SIGKILL); awaited before draining. */
  during?: (startedAt: number) => Promise<void>;
  /** Runs once the writes are answered, before draining (waiting for clients to resume). */
  afterWrites?: () => Promise<void>;
  retained?: number | undefined;
}

// Waits until the clients hold every expected delivery, or nothing more arrives for 10 s: long
// enough that a process stalled by a loaded machine (npm test runs the load tests beside the rest)
// is not taken for a loss; a real loss only makes the step end later.
async function drain(fleet: ClientFleet, target: Target, expected: number): Promise<void> {
  let last = -1;
  let still = Date.now();
  for (;;) {
    const received = await fleet.received(target);
    if (received >= expected) return;
    if (received !== last) {
      last = received;
      still = Date.now();
    } else if (Date.now() - still > 10_000) return;
    await pause(200);
  }
}

/** How many deliveries a step's acknowledged writes ask for. */
export function expectedDeliveries(plan: StepPlan, log: WriteLog): number {
  const acknowledged = log.writes.filter((write) => write.ok);
  return plan.feed === "news"
    ? acknowledged.length * plan.clients
    : acknowledged.filter((write) => deliveryOf(write) !== null).length;
}

/**
 * Runs one step: the writer writes for `seconds` at `rate` (open loop), the clients receive, and
 * when everything expected has arrived (or nothing more comes) every client's receipts are
 * checked against the writer's log. CPU is sampled from the first write to the end of the drain.
 */
export async function runStep(rig: Rig, plan: StepPlan): Promise<StepResult> {
  const step = rig.nextStep();
  const { target, feed, clients, rate } = plan;
  await rig.fleet.begin(target, step, feed);
  const sampler = new ProcessSampler(rig.watched());
  sampler.start();
  const writing: Promise<WriteLog> = rig.writer.call("run", {
    urls: rig.writeUrls,
    feed,
    step,
    rate,
    seconds: plan.seconds,
    users: clients,
    mix: plan.mix,
    activeShare: plan.activeShare,
    seed: step,
  });
  // The writer starts its clock 20 ms after it gets the call.
  const during = plan.during?.(Date.now() + 20);
  const log = await writing;
  await during;
  await plan.afterWrites?.();
  await drain(rig.fleet, target, expectedDeliveries(plan, log));
  const processes = sampler.stop();
  const check = await rig.fleet.check(target, log.writes);
  const acknowledged = log.writes.filter((write) => write.ok).length;
  const spanSeconds = (check.lastAt - log.startedAt) / 1000;
  const systemSeconds = cpuSecondsOf(processes, "system");
  const expectedByAction: Partial<Record<Action, number>> = {};
  for (const write of log.writes) {
    const action = feed === "feed" && write.ok ? deliveryOf(write) : null;
    if (action) expectedByAction[action] = (expectedByAction[action] ?? 0) + 1;
  }
  const per = (count: number) =>
    count > 0 ? Math.round(((systemSeconds * 1000) / count) * 1000) / 1000 : 0;
  return {
    step,
    kind: plan.kind,
    deployment: target === "baseline" ? "baseline" : rig.deployment,
    target,
    feed,
    clients: check.clients,
    rate,
    seconds: plan.seconds,
    writes: {
      attempted: log.writes.length,
      acknowledged,
      kinds: log.kinds,
      failures: log.failures,
      acknowledgedPerSecond: Math.round(
        (acknowledged * 1000) / Math.max(1, log.endedAt - log.startedAt),
      ),
      maxLagMs: log.maxLagMs,
      answerMs: log.answerMs,
    },
    deliveries: {
      expected: check.expected,
      expectedByAction,
      received: check.received,
      offeredPerSecond: Math.round(check.expected / plan.seconds),
      perSecond: spanSeconds > 0 ? Math.round(check.received / spanSeconds) : 0,
    },
    latencyMs: check.latency.summary(),
    pipelineMs: check.pipeline.summary(),
    missing: check.missing,
    duplicate: check.duplicate,
    leaked: check.leaked,
    outOfOrder: check.outOfOrder,
    unexpected: check.unexpected,
    unconfirmed: check.unconfirmed,
    absorbed: check.absorbed + check.seqDropped,
    stray: check.stray,
    disconnected: check.disconnected,
    resyncs: check.resyncs,
    reconnectFailures: check.reconnectFailures,
    reconnectErrors: check.reconnectErrors,
    cpu: {
      systemSeconds: Math.round(systemSeconds * 100) / 100,
      msPerWrite: per(acknowledged),
      msPerDelivery: per(check.received),
      loadGeneratorSeconds: Math.round(cpuSecondsOf(processes, "load") * 100) / 100,
    },
    processes,
    loadavg: loadavg().map((value) => Math.round(value * 100) / 100),
    retained: plan.retained,
  };
}
