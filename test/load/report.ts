import { cpus, totalmem } from "node:os";
import type { LatencySummary } from "./latency-histogram.ts";
import type { ProcessUsage } from "./process-sampler.ts";
import type { Action, FeedName, Target } from "./workload.ts";

/**
 * What a step is: `w1` the per-user mix on the cluster, `broadcast` W2 (Tidings or the baseline),
 * `kill` W1 while a gateway is killed, `single-node` W1 on `npm start`'s process, `history` the
 * same W1 step on a single node before and after its history was filled, `warm-up` unjudged.
 */
export type StepKind = "w1" | "broadcast" | "kill" | "single-node" | "history" | "warm-up";

/** One measured step: a deployment, a feed, a client count and a write rate. */
export interface StepResult {
  step: number;
  kind: StepKind;
  /** What served it: "cluster 1/1/1", "single node (PGlite)", "baseline"… */
  deployment: string;
  target: Target;
  /** `feed`: W1, the per-user filtered feed; `news`: W2, the broadcast feed. */
  feed: FeedName;
  clients: number;
  /** Writes per second asked of the writer. */
  rate: number;
  seconds: number;
  writes: {
    attempted: number;
    acknowledged: number;
    /** Creates, updates and deletes issued. */
    kinds: { c: number; u: number; d: number };
    failures: Record<string, number>;
    /** Acknowledged writes per second, from the first write's start to the last answer. */
    acknowledgedPerSecond: number;
    maxLagMs: number;
    /** From each write's due time to its REST answer. */
    answerMs: LatencySummary;
  };
  deliveries: {
    expected: number;
    /** W1: what the acknowledged writes ask for, by action (one delivery each, to the owner). */
    expectedByAction: Partial<Record<Action, number>>;
    received: number;
    /** Deliveries the writes asked for, per second of writing. */
    offeredPerSecond: number;
    /** Deliveries per second, from the first write to the last arrival. */
    perSecond: number;
  };
  /** From the write's due time (the writer's clock) to its arrival at a client. */
  latencyMs: LatencySummary;
  /**
   * From the change's `at` (its transaction's time in PostgreSQL, to the millisecond) to arrival:
   * the realtime path without the REST request around the write.
   */
  pipelineMs: LatencySummary;
  missing: number;
  duplicate: number;
  leaked: number;
  outOfOrder: number;
  unexpected: number;
  unconfirmed: number;
  /** Repeats dropped by `seq` as the protocol's seam rule says (not a fault). */
  absorbed: number;
  stray: number;
  disconnected: number;
  /** Resuming subscribes refused with RESYNC_REQUIRED, and failed reconnection attempts. */
  resyncs: number;
  reconnectFailures: number;
  reconnectErrors: string[];
  /**
   * CPU of the system under test (every service process, its PostgreSQL backends and the server's
   * own processes, NATS, Redis), per acknowledged write and per delivery. The load generators
   * (writer, client workers, orchestrator) are excluded and given apart.
   */
  cpu: {
    systemSeconds: number;
    msPerWrite: number;
    msPerDelivery: number;
    loadGeneratorSeconds: number;
  };
  processes: ProcessUsage[];
  loadavg: number[];
  /** Change events retained by a single node when the step began (history steps). */
  retained?: number | undefined;
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
  deployment: string;
  clients: number;
  added: number;
  seconds: number;
  failed: number;
  errors: string[];
}

/** Memory of one server process before and after its clients connected. */
export interface MemoryResult {
  target: Target;
  process: string;
  clients: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  rssPerClientKb: number;
  heapPerClientKb: number;
}

/** A connect storm into one server: clients/s to "connected and both subscriptions acked". */
export interface StormResult {
  target: Target;
  deployment: string;
  clients: number;
  connected: number;
  failed: number;
  errors: string[];
  concurrency: number;
  seconds: number;
  perSecond: number;
  /** Connections the kernel dropped meanwhile, its accept queue full (machine-wide). */
  listenOverflows: number;
  processes: ProcessUsage[];
}

/** One feed's figures under a tracing mode, and their ratio to the same feed with tracing off. */
export interface TracedFeed {
  msPerWrite: number;
  p99Ms: number;
  /** msPerWrite ÷ the same figure with tracing off (1 for the off run itself). */
  cpuRatio: number;
  p99Ratio: number;
}

/** Tracing's cost at one setting ("tracing off", "tracing 100 %", …), measured in the same run. */
export interface TracingResult {
  mode: string;
  /** What the OTLP sink took in: export requests and bytes. */
  exports: number;
  exportedBytes: number;
  w1?: TracedFeed | undefined;
  broadcast?: TracedFeed | undefined;
}

/** The gateway kill: how fast the killed gateway's clients were back, and what they missed. */
export interface KillResult {
  step: number;
  clients: number;
  /** Clients that were on the killed gateway, and how many lost their connection. */
  onKilledGateway: number;
  lost: number;
  resumed: number;
  /** From the SIGKILL to each client's resumed subscriptions, in seconds. */
  resumeSeconds: { p50: number; p90: number; max: number };
  resyncs: number;
  reconnectFailures: number;
  reconnectErrors: string[];
  /** Connections the kernel dropped during the step, an accept queue full (machine-wide). */
  listenOverflows: number;
}

/** A single node's cost per write with a short and a long history. */
export interface HistoryResult {
  deployment: string;
  short: { step: number; retained: number; msPerWrite: number; msPerDelivery: number };
  long: { step: number; retained: number; msPerWrite: number; msPerDelivery: number };
  fill: { events: number; seconds: number; perSecond: number };
  /** long / short. */
  perWriteRatio: number;
  perDeliveryRatio: number;
  /** The retention set for the node (TIDINGS_RESUME_MAX_BYTES). */
  maxBytes: number;
}

/** One of the targets, judged on this run's figures. */
export interface TargetResult {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
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
  storms: StormResult[];
  memory: MemoryResult[];
  kills: KillResult[];
  histories: HistoryResult[];
  tracing: TracingResult[];
  targets: TargetResult[];
  /** Seconds the whole run took. */
  seconds: number;
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
  for (const ours of steps.filter((s) => s.target === "tidings" && s.kind === "broadcast")) {
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

/** Whether a step missed, doubled, leaked or reordered anything. */
export const faulty = (step: StepResult) =>
  step.missing + step.duplicate + step.leaked + step.outOfOrder + step.unexpected > 0;
