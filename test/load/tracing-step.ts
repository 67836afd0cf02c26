import { type BenchCluster, startBenchCluster } from "./bench-cluster.ts";
import { type PhaseContext, sweep } from "./cluster-phases.ts";
import { startOtlpSink } from "./otlp-sink.ts";
import type { StepResult, TracedFeed, TracingResult } from "./report.ts";
import { describeTracing } from "./summary.ts";
import type { WriteMix } from "./workload.ts";

/** A tracing setting to measure: off, or on with this share of traces sampled (0–1). */
export type TracingMode = "off" | number;

/** What the tracing step measures, on a 1/1/1 cluster per mode. */
export interface TracingPlan {
  modes: TracingMode[];
  clients: number;
  /** W1 writes/s. */
  rate: number;
  /** Offered broadcast deliveries/s. */
  broadcast: number;
  seconds: number;
  mix: WriteMix;
  activeShare: number;
  concurrency: number;
}

/** The variables that give a mode: the OTLP endpoint and the sampler, or nothing at all. */
export function tracingEnv(mode: TracingMode, endpoint: string): Record<string, string> {
  if (mode === "off") return {};
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    // Traces only: metrics pushed every minute would not show in a 10-second step anyway.
    OTEL_METRICS_EXPORTER: "none",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: String(mode),
  };
}

export const modeLabel = (mode: TracingMode) =>
  mode === "off" ? "tracing off" : `tracing ${Math.round(mode * 100)} %`;

/**
 * Tracing's cost: for each mode a fresh cluster (same shape, same users) runs W1 and the broadcast
 * feed at the same load, exporting to a sink over OTLP/HTTP protobuf as it would to a collector.
 * The steps carry the mode in their deployment name; the result holds what the sink took in.
 */
export async function tracingCost(
  ctx: PhaseContext,
  plan: TracingPlan,
  cluster: { env: Record<string, string>; ownServers: boolean; users: number },
  start: typeof startBenchCluster = startBenchCluster,
): Promise<TracingResult[]> {
  const results: TracingResult[] = [];
  for (const mode of plan.modes) {
    ctx.signal?.throwIfAborted();
    await using sink = await startOtlpSink();
    {
      await using bench: BenchCluster = await start({
        records: 1,
        evaluators: 1,
        gateways: 1,
        users: Math.max(cluster.users, plan.clients),
        env: { ...cluster.env, ...tracingEnv(mode, sink.url) },
        ownServers: cluster.ownServers,
        log: ctx.log,
      });
      await sweep(ctx, bench, {
        clients: [plan.clients],
        rates: [plan.rate],
        broadcast: [plan.broadcast],
        seconds: plan.seconds,
        mix: plan.mix,
        activeShare: plan.activeShare,
        concurrency: plan.concurrency,
        variant: modeLabel(mode),
      });
    }
    // The cluster stopped, so its exporters flushed what they held.
    const steps = ctx.results.steps.filter((step) => step.deployment.endsWith(modeLabel(mode)));
    const off = results[0];
    const result: TracingResult = {
      mode: modeLabel(mode),
      exports: sink.requests,
      exportedBytes: sink.bytes,
      w1: feed(steps, "w1", off?.w1),
      broadcast: feed(steps, "broadcast", off?.broadcast),
    };
    results.push(result);
    ctx.log(describeTracing(result));
  }
  return results;
}

const ratio = (value: number, base: number | undefined) =>
  base ? Math.round((value / base) * 100) / 100 : 1;

// One feed's figures in a mode's steps, against the first mode's (tracing off).
function feed(
  steps: StepResult[],
  kind: "w1" | "broadcast",
  off: TracedFeed | undefined,
): TracedFeed | undefined {
  const step = steps.find((candidate) => candidate.kind === kind && candidate.target === "tidings");
  if (!step) return undefined;
  return {
    msPerWrite: step.cpu.msPerWrite,
    p99Ms: step.latencyMs.p99,
    cpuRatio: ratio(step.cpu.msPerWrite, off?.msPerWrite),
    p99Ratio: ratio(step.latencyMs.p99, off?.p99Ms),
  };
}
