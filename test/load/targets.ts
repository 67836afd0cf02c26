import { faulty, type LoadReport, type StepResult, type TargetResult } from "./report.ts";

const thousands = (value: number) => Math.round(value).toLocaleString("en-US");

// The hardest step of a kind: most clients, then highest rate.
function hardest(steps: StepResult[]): StepResult | undefined {
  return [...steps].sort((a, b) => b.clients - a.clients || b.rate - a.rate)[0];
}

// Sustained: every write acknowledged, at (nearly) the rate asked, p99 under 100 ms, no fault.
function sustained(step: StepResult, clients: number, rate: number): boolean {
  return (
    step.clients >= clients &&
    step.rate >= rate &&
    step.writes.acknowledged === step.writes.attempted &&
    step.writes.acknowledgedPerSecond >= 0.95 * step.rate &&
    step.latencyMs.p99 < 100 &&
    !faulty(step)
  );
}

const stepFigures = (s: StepResult) =>
  `${thousands(s.clients)} clients × ${thousands(s.rate)} writes/s asked, ${thousands(s.writes.acknowledgedPerSecond)}/s acknowledged (${s.writes.acknowledged}/${s.writes.attempted}), p99 ${s.latencyMs.p99} ms, missing/dup/leaked/out of order ${s.missing}/${s.duplicate}/${s.leaked}/${s.outOfOrder + s.unexpected}`;

/** The targets, judged on this run's figures (only those the run measured). */
export function judge(report: Omit<LoadReport, "targets">): TargetResult[] {
  const targets: TargetResult[] = [];
  const w1 = hardest(report.steps.filter((s) => s.kind === "w1"));
  if (w1) {
    targets.push({
      name: `W1 on the ${w1.deployment}`,
      goal: "3,000 clients, 500 writes/s acknowledged, p99 < 100 ms, nothing missing/duplicate/leaked",
      measured: stepFigures(w1),
      met: sustained(w1, 3_000, 500),
    });
    targets.push({
      name: `CPU per write, ${w1.deployment}`,
      goal: "≤ 1.5 ms (every service, PostgreSQL, NATS, Redis; load generators excluded)",
      measured: `${w1.cpu.msPerWrite} ms at ${thousands(w1.rate)} writes/s`,
      met: w1.cpu.msPerWrite > 0 && w1.cpu.msPerWrite <= 1.5,
    });
  }
  const nodes = [
    ...new Set(report.steps.filter((s) => s.kind === "single-node").map((s) => s.deployment)),
  ];
  for (const deployment of nodes) {
    const step = hardest(
      report.steps.filter((s) => s.kind === "single-node" && s.deployment === deployment),
    );
    if (!step) continue;
    targets.push({
      name: `W1 on the ${deployment}`,
      goal: "3,000 clients, 300 writes/s acknowledged, p99 < 100 ms, nothing missing/duplicate/leaked",
      measured: stepFigures(step),
      met: sustained(step, 3_000, 300),
    });
    targets.push({
      name: `CPU per write, ${deployment}`,
      goal: "≤ 1.5 ms (the process and its PostgreSQL; load generators excluded)",
      measured: `${step.cpu.msPerWrite} ms at ${thousands(step.rate)} writes/s`,
      met: step.cpu.msPerWrite > 0 && step.cpu.msPerWrite <= 1.5,
    });
  }
  for (const h of report.histories) {
    const within = (ratio: number) => ratio >= 0.8 && ratio <= 1.2;
    targets.push({
      name: `flat in history, ${h.deployment}`,
      goal: "CPU per write and per delivery within 20 % with 1,000 and with 1,000,000 events retained",
      measured: `${thousands(h.short.retained)} retained: ${h.short.msPerWrite} ms/write, ${h.short.msPerDelivery} ms/delivery; ${thousands(h.long.retained)} retained: ${h.long.msPerWrite} ms/write, ${h.long.msPerDelivery} ms/delivery; ratios ${h.perWriteRatio} / ${h.perDeliveryRatio}`,
      met: h.long.retained >= 1_000_000 && within(h.perWriteRatio) && within(h.perDeliveryRatio),
    });
  }
  const ours = report.storms.find((s) => s.target === "tidings");
  const theirs = report.storms.find((s) => s.target === "baseline");
  if (ours) {
    const ratio = theirs?.perSecond ? ours.perSecond / theirs.perSecond : 0;
    targets.push({
      name: "connect storm into one gateway",
      goal: "≥ 1,000 clients/s connected, authenticated, both subscriptions acknowledged",
      measured: `${thousands(ours.perSecond)} clients/s (${thousands(ours.connected)} clients, ${ours.failed} failed); plain Socket.IO ${thousands(theirs?.perSecond ?? 0)}/s, ratio ${ratio.toFixed(2)}`,
      met: ours.perSecond >= 1_000 && ours.failed === 0,
    });
  }
  const memory = report.memory.find((m) => m.target === "tidings");
  const plain = report.memory.find((m) => m.target === "baseline");
  if (memory) {
    targets.push({
      name: "gateway memory per connected, subscribed client",
      goal: "≤ 45 KB with 10,000 clients",
      measured: `${memory.rssPerClientKb} KB RSS (heap ${memory.heapPerClientKb} KB) with ${thousands(memory.clients)} clients; plain Socket.IO ${plain?.rssPerClientKb ?? "?"} KB RSS (heap ${plain?.heapPerClientKb ?? "?"} KB)`,
      met: memory.clients >= 10_000 && memory.rssPerClientKb <= 45,
    });
  }
  for (const k of report.kills) {
    const step = report.steps.find((s) => s.step === k.step);
    targets.push({
      name: "gateway kill",
      goal: "a gateway with 10,000 clients SIGKILLed (another keeps its own): all of them resumed on the other ≤ 15 s, nothing missing/duplicate/leaked",
      measured: `${k.resumed}/${k.onKilledGateway} resumed, last ${k.resumeSeconds.max} s after the kill; missing/dup/leaked/out of order ${step?.missing}/${step?.duplicate}/${step?.leaked}/${(step?.outOfOrder ?? 0) + (step?.unexpected ?? 0)}`,
      met:
        k.onKilledGateway >= 10_000 &&
        k.resumed >= k.onKilledGateway &&
        k.resumeSeconds.max <= 15 &&
        step !== undefined &&
        !faulty(step),
    });
  }
  if (report.comparisons.length > 0) {
    const worst = Math.min(...report.comparisons.map((c) => c.ratio));
    targets.push({
      name: "broadcast (W2) against plain Socket.IO",
      goal: "≥ 0.80 × the baseline's deliveries/s",
      measured: `worst ratio ${worst.toFixed(2)}`,
      met: worst >= 0.8,
    });
  }
  return targets;
}
