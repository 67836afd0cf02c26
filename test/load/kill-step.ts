import { now } from "./clock.ts";
import { type Rig, runStep } from "./measure-step.ts";
import { listenOverflows } from "./process-sampler.ts";
import type { KillResult, StepResult } from "./report.ts";
import type { WriteMix } from "./workload.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The gateway kill. */
export interface KillPlan {
  /** Clients 0…clients-1 are connected, over the gateway killed and another. */
  clients: number;
  /** How many of them are on the gateway killed. */
  onKilled: number;
  rate: number;
  seconds: number;
  /** Seconds of writing before the SIGKILL. */
  after: number;
  mix: WriteMix;
  activeShare: number;
  /** SIGKILLs the gateway (resolves once it is gone). */
  kill: () => Promise<void>;
  log: (line: string) => void;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

/**
 * W1 writes go on while one of two gateways is SIGKILLed; its clients reconnect to the other,
 * resubscribe with `resumeFrom` their last seq, and the whole step is checked as any other: what
 * was written while they were away must have been replayed, once, in order. Reports the time from
 * the kill until each of them had resumed.
 */
export async function gatewayKill(
  rig: Rig,
  plan: KillPlan,
): Promise<{ step: StepResult; kill: KillResult }> {
  let killAt = 0;
  const overflows = listenOverflows();
  const resumed = async () => {
    const { lostAt, resumedAt } = await rig.fleet.resumes("tidings");
    return { lostAt, resumedAt, done: resumedAt.filter((at) => at > 0).length };
  };
  const step = await runStep(rig, {
    kind: "kill",
    target: "tidings",
    feed: "feed",
    clients: plan.clients,
    rate: plan.rate,
    seconds: plan.seconds,
    mix: plan.mix,
    activeShare: plan.activeShare,
    async during(startedAt) {
      await pause(startedAt + plan.after * 1_000 - Date.now());
      killAt = now();
      await plan.kill();
      plan.log(
        `gateway killed ${plan.after} s into the writes; ${plan.onKilled} clients were on it`,
      );
    },
    // Every client of the dead gateway must be back (or 2 minutes pass) before the drain and
    // check: one still away would be counted as missing what it was sent.
    async afterWrites() {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const { lostAt, done } = await resumed();
        if ((lostAt.length >= plan.onKilled && done === lostAt.length) || Date.now() > deadline)
          return;
        await pause(250);
      }
    },
  });
  const { lostAt, resumedAt, done } = await resumed();
  const seconds = resumedAt
    .filter((at) => at > 0)
    .map((at) => (at - killAt) / 1_000)
    .sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    step,
    kill: {
      step: step.step,
      clients: plan.clients,
      onKilledGateway: plan.onKilled,
      lost: lostAt.length,
      resumed: done,
      resumeSeconds: {
        p50: round(percentile(seconds, 0.5)),
        p90: round(percentile(seconds, 0.9)),
        max: round(seconds.at(-1) ?? 0),
      },
      resyncs: step.resyncs,
      reconnectFailures: step.reconnectFailures,
      reconnectErrors: step.reconnectErrors,
      listenOverflows: listenOverflows() - overflows,
    },
  };
}
