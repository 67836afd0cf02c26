import { cpus, totalmem } from "node:os";
import type { LatencySummary } from "./latency-histogram.ts";
import type { ProcessUsage } from "./process-sampler.ts";
import type { FeedName, Target } from "./workload.ts";

/** One step of the sweep: a target, a feed, a client count and a write rate. */
export interface StepResult {
  step: number;
  target: Target;
  /** `feed`: the per-user filtered feed; `news`: the broadcast feed. */
  feed: FeedName;
  clients: number;
  /** Writes per second asked of the writer. */
  rate: number;
  seconds: number;
  writes: {
    attempted: number;
    acknowledged: number;
    failures: Record<string, number>;
    /** Acknowledged writes per second, from the first write's start to the last answer. */
    acknowledgedPerSecond: number;
    maxLagMs: number;
    /** From each write's due time to its REST answer. */
    answerMs: LatencySummary;
  };
  deliveries: {
    expected: number;
    received: number;
    /** Deliveries the writes asked for, per second of writing. */
    offeredPerSecond: number;
    /** Deliveries per second, from the first write to the last arrival. */
    perSecond: number;
  };
  /** From the write's start (the writer's clock) to its arrival at a client. */
  latencyMs: LatencySummary;
  /**
   * From the change's `at` (its transaction's time in PostgreSQL, to the millisecond) to arrival:
   * the realtime path without the REST request around the write.
   */
  pipelineMs: LatencySummary;
  missing: number;
  duplicate: number;
  leaked: number;
  unconfirmed: number;
  stray: number;
  disconnected: number;
  processes: ProcessUsage[];
  loadavg: number[];
}

/** The broadcast feed against the plain Socket.IO baseline, at one client count and rate. */
export interface Comparison {
  clients: number;
  rate: number;
  tidingsPerSecond: number;
  baselinePerSecond: number;
  /** tidings / baseline. */
  ratio: number;
}

/** How long it took to connect (and subscribe) clients. */
export interface ConnectResult {
  target: Target;
  clients: number;
  added: number;
  seconds: number;
  failed: number;
  errors: string[];
}

/** The targets, judged on the figures of this run. */
export interface Targets {
  connections: { goal: number; reached: number; met: boolean };
  perUserFeed: {
    goal: string;
    clients: number;
    rate: number;
    p99Ms: number;
    missing: number;
    duplicate: number;
    leaked: number;
    met: boolean;
  } | null;
  broadcast: { goal: number; worstRatio: number; met: boolean } | null;
}

/** The bench's JSON output. */
export interface LoadReport {
  date: string;
  command: string;
  machine: { cpus: number; model: string; memoryGb: number; node: string };
  options: Record<string, unknown>;
  connects: ConnectResult[];
  steps: StepResult[];
  comparisons: Comparison[];
  targets: Targets;
}

/** The machine, as the report names it. */
export function machine(): LoadReport["machine"] {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
  };
}

/** Pairs each broadcast step with the baseline step at the same client count and rate. */
export function compare(steps: StepResult[]): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const ours of steps.filter((s) => s.target === "tidings" && s.feed === "news")) {
    const base = steps.find(
      (s) => s.target === "baseline" && s.clients === ours.clients && s.rate === ours.rate,
    );
    if (!base) continue;
    const ratio =
      base.deliveries.perSecond > 0 ? ours.deliveries.perSecond / base.deliveries.perSecond : 0;
    comparisons.push({
      clients: ours.clients,
      rate: ours.rate,
      tidingsPerSecond: ours.deliveries.perSecond,
      baselinePerSecond: base.deliveries.perSecond,
      ratio: Math.round(ratio * 100) / 100,
    });
  }
  return comparisons;
}

/**
 * Judges the targets: 10,000 clients connected; the per-user feed at 1,000 writes/s with
 * p99 under 100 ms and nothing missing, duplicated or leaked (judged on the step with the most
 * clients at the highest rate); the broadcast feed at 80 % or more of the baseline in every pair.
 */
export function judge(steps: StepResult[], comparisons: Comparison[], connected: number): Targets {
  const perUser = steps.filter((s) => s.target === "tidings" && s.feed === "feed");
  const hardest = perUser.sort((a, b) => b.clients - a.clients || b.rate - a.rate)[0];
  const worst = Math.min(...comparisons.map((c) => c.ratio));
  return {
    connections: { goal: 10_000, reached: connected, met: connected >= 10_000 },
    perUserFeed: hardest
      ? {
          goal: "10,000 clients, 1,000 writes/s, p99 < 100 ms, 0 missing/duplicate/leaked",
          clients: hardest.clients,
          rate: hardest.rate,
          p99Ms: hardest.latencyMs.p99,
          missing: hardest.missing,
          duplicate: hardest.duplicate,
          leaked: hardest.leaked,
          met:
            hardest.clients >= 10_000 &&
            hardest.rate >= 1_000 &&
            hardest.latencyMs.p99 < 100 &&
            hardest.missing + hardest.duplicate + hardest.leaked === 0,
        }
      : null,
    broadcast: comparisons.length > 0 ? { goal: 0.8, worstRatio: worst, met: worst >= 0.8 } : null,
  };
}

const thousands = (value: number) => Math.round(value).toLocaleString("en-US");

/** The human summary: one line per step, then the comparisons and the targets. */
export function summaryTable(report: LoadReport): string {
  const lines = [
    "write → receive latency (ms) from the write's start; REST: until its answer; commit → client: from the change's transaction time",
    "target    feed      clients  writes/s (ok/s)  deliveries/s    p50    p90    p99      max  REST p99  commit→client p50/p99  miss dup leak  busiest processes (CPU %)",
  ];
  const ms = (value: number, width: number) => value.toFixed(value < 1_000 ? 1 : 0).padStart(width);
  for (const s of report.steps) {
    const busiest = [...s.processes]
      .sort((a, b) => b.cpuPercent - a.cpuPercent)
      .slice(0, 4)
      .map((p) => `${p.name} ${Math.round(p.cpuPercent)}`)
      .join(", ");
    lines.push(
      [
        s.target.padEnd(9),
        (s.feed === "feed" ? "per-user" : "broadcast").padEnd(9),
        thousands(s.clients).padStart(7),
        `${thousands(s.rate).padStart(6)} (${thousands(s.writes.acknowledgedPerSecond)})`.padStart(
          16,
        ),
        thousands(s.deliveries.perSecond).padStart(13),
        ms(s.latencyMs.p50, 6),
        ms(s.latencyMs.p90, 6),
        ms(s.latencyMs.p99, 6),
        ms(s.latencyMs.max, 8),
        ms(s.writes.answerMs.p99, 9),
        `${ms(s.pipelineMs.p50, 10)} / ${ms(s.pipelineMs.p99, 7)}  `,
        String(s.missing).padStart(4),
        String(s.duplicate).padStart(3),
        String(s.leaked).padStart(4),
        ` ${busiest}`,
      ].join(" "),
    );
  }
  lines.push("", "broadcast feed vs plain Socket.IO broadcast (deliveries/s, same run):");
  for (const c of report.comparisons)
    lines.push(
      `  ${thousands(c.clients).padStart(6)} clients × ${thousands(c.rate).padStart(4)} writes/s: ${thousands(c.tidingsPerSecond).padStart(9)} vs ${thousands(c.baselinePerSecond).padStart(9)}  ratio ${c.ratio.toFixed(2)}`,
    );
  const { connections, perUserFeed, broadcast } = report.targets;
  const verdict = (met: boolean) => (met ? "MET" : "MISSED");
  lines.push(
    "",
    `target: 10,000 connected clients — reached ${thousands(connections.reached)}: ${verdict(connections.met)}`,
  );
  if (perUserFeed)
    lines.push(
      `target: per-user feed, 10,000 clients at 1,000 writes/s, p99 < 100 ms, nothing missing/duplicate/leaked — ${thousands(perUserFeed.clients)} clients at ${thousands(perUserFeed.rate)} writes/s: p99 ${perUserFeed.p99Ms} ms, ${perUserFeed.missing}/${perUserFeed.duplicate}/${perUserFeed.leaked}: ${verdict(perUserFeed.met)}`,
    );
  if (broadcast)
    lines.push(
      `target: broadcast ≥ 0.80 × baseline — worst ratio ${broadcast.worstRatio.toFixed(2)}: ${verdict(broadcast.met)}`,
    );
  return lines.join("\n");
}
