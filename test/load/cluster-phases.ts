import type { BaselineHandlers } from "./baseline-server.ts";
import type { BenchCluster } from "./bench-cluster.ts";
import { type Child, forkChild } from "./child-rpc.ts";
import type { ClientFleet } from "./client-fleet.ts";
import { gatewayKill, type KillPlan } from "./kill-step.ts";
import { type Rig, runStep } from "./measure-step.ts";
import type { MemoryProbe } from "./memory-probe.ts";
import type { WatchedProcess } from "./process-sampler.ts";
import type {
  ConnectResult,
  KillResult,
  MemoryResult,
  StepKind,
  StepResult,
  StormResult,
} from "./report.ts";
import { connectStorm } from "./storm-step.ts";
import { describeStep } from "./summary.ts";
import type { ClientSpec, WriteMix } from "./workload.ts";
import type { WriterHandlers } from "./writer.ts";

const BASELINE = new URL("./baseline-server.ts", import.meta.url);

/** What the phases on a cluster share with the rest of the run, and where they put results. */
export interface PhaseContext {
  fleet: ClientFleet;
  writer: Child<WriterHandlers>;
  baseline: Child<BaselineHandlers>;
  baselineUrl: string;
  probe: MemoryProbe;
  loadWatched: () => WatchedProcess[];
  nextStep: () => number;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
  results: {
    connects: ConnectResult[];
    steps: StepResult[];
    storms: StormResult[];
    memory: MemoryResult[];
    kills: KillResult[];
  };
}

const specsOf = (bench: BenchCluster, count: number): ClientSpec[] =>
  bench.users.slice(0, count).map((user, index) => ({ index, userId: user.id, token: user.token }));

const shapeOf = (bench: BenchCluster) =>
  ["records", "evaluator", "gateway"]
    .map((kind) => bench.cluster.services.filter((s) => s.name.startsWith(`${kind}-`)).length)
    .join("/");

function tidingsRig(ctx: PhaseContext, bench: BenchCluster, variant?: string): Rig {
  return {
    deployment: `cluster ${shapeOf(bench)}${variant ? `, ${variant}` : ""}`,
    fleet: ctx.fleet,
    writer: ctx.writer,
    writeUrls: bench.recordsUrls,
    watched: () => [
      ...bench.watched(),
      ...ctx.loadWatched(),
      { name: "baseline", role: "other", pids: [ctx.baseline.pid] },
    ],
    nextStep: ctx.nextStep,
  };
}

/**
 * The W1 sweep and the broadcast comparison: for each client count (connections are added, not
 * remade), W1 at each rate, then W2 and the plain Socket.IO baseline side by side at each load.
 */
export async function sweep(
  ctx: PhaseContext,
  bench: BenchCluster,
  plan: {
    clients: number[];
    rates: number[];
    broadcast: number[];
    seconds: number;
    mix: WriteMix;
    activeShare: number;
    concurrency: number;
    /** Told apart from other runs on the same shape in the steps' deployment (e.g. "tracing off"). */
    variant?: string;
  },
): Promise<void> {
  const { fleet, results, log } = ctx;
  await ctx.writer.call("init", { users: bench.users });
  const rig = tidingsRig(ctx, bench, plan.variant);
  const baselineRig: Rig = {
    ...rig,
    deployment: "baseline",
    writeUrls: [ctx.baselineUrl],
    watched: () => [
      { name: "baseline", role: "system", pids: [ctx.baseline.pid] },
      ...ctx.loadWatched(),
      ...bench.watched().map((process) => ({ ...process, role: "other" as const })),
    ],
  };
  const connect = async (target: "tidings" | "baseline", from: number, to: number) => {
    const urls = target === "tidings" ? bench.gatewayUrls : [ctx.baselineUrl];
    const answer = await fleet.connect(target, urls, specsOf(bench, to).slice(from), {
      concurrency: plan.concurrency,
    });
    const result: ConnectResult = {
      target,
      deployment: target === "tidings" ? rig.deployment : "baseline",
      clients: answer.connected,
      added: to - from,
      seconds: Math.round(answer.seconds * 10) / 10,
      failed: answer.failed,
      errors: answer.errors,
    };
    results.connects.push(result);
    log(
      `${target}: ${result.clients} clients connected (+${result.added} in ${result.seconds} s, ${result.failed} failed${result.errors.length ? `: ${result.errors[0]}` : ""})`,
    );
  };
  const step = async (
    target: "tidings" | "baseline",
    feed: "feed" | "news",
    clients: number,
    rate: number,
    kind: StepKind = feed === "feed" ? "w1" : "broadcast",
  ) => {
    ctx.signal?.throwIfAborted();
    const result = await runStep(target === "tidings" ? rig : baselineRig, {
      kind,
      target,
      feed,
      clients,
      rate,
      seconds: kind === "warm-up" ? Math.min(2, plan.seconds) : plan.seconds,
      mix: plan.mix,
      activeShare: plan.activeShare,
    });
    results.steps.push(result);
    log(describeStep(result));
  };
  let held = 0;
  for (const count of [...plan.clients].sort((a, b) => a - b)) {
    await connect("tidings", held, count);
    // A short W1 step first, unjudged, so the measured ones find the code compiled and the pools
    // open (the first writes of a fresh process cost several times more CPU).
    if (held === 0 && plan.rates.length > 0)
      await step("tidings", "feed", count, plan.rates[0] as number, "warm-up");
    held = count;
    for (const rate of plan.rates) await step("tidings", "feed", count, rate);
    if (plan.broadcast.length === 0) continue;
    await connect("baseline", 0, count);
    for (const load of plan.broadcast) {
      const rate = Math.max(1, Math.round(load / count));
      await step("tidings", "news", count, rate);
      await step("baseline", "news", count, rate);
    }
    await fleet.disconnect("baseline");
  }
  await fleet.disconnect("tidings");
}

/**
 * The connect storm into gateway-1 (fresh: nothing has connected to it yet), which also gives its
 * memory per client; then the same storm into a fresh plain Socket.IO server. The Tidings clients
 * stay connected (to gateway-1).
 */
export async function storm(
  ctx: PhaseContext,
  bench: BenchCluster,
  plan: { clients: number; concurrency: number; settleMs: number },
): Promise<void> {
  const gateway = bench.cluster.service("gateway-1");
  const specs = specsOf(bench, plan.clients);
  const ours = await connectStorm(ctx.fleet, {
    target: "tidings",
    deployment: `cluster ${shapeOf(bench)}, gateway-1`,
    urls: bench.gatewayUrls,
    node: 0,
    clients: specs,
    concurrency: plan.concurrency,
    warmUp: Math.min(50, Math.ceil(specs.length / 20)),
    settleMs: plan.settleMs,
    process: "gateway-1",
    readMemory: () => ctx.probe.read(gateway.child.pid as number),
    watched: [...bench.watched(), ...ctx.loadWatched()],
  });
  const plain: Child<BaselineHandlers> = forkChild(BASELINE, "storm-baseline", ["--expose-gc"]);
  try {
    const port = await plain.call("listen", undefined);
    const theirs = await connectStorm(ctx.fleet, {
      target: "baseline",
      deployment: "baseline (fresh)",
      urls: [`http://127.0.0.1:${port}`],
      node: 0,
      clients: specs,
      concurrency: plan.concurrency,
      warmUp: Math.min(50, Math.ceil(specs.length / 20)),
      settleMs: plan.settleMs,
      process: "baseline",
      readMemory: () => plain.call("memory", undefined),
      watched: [{ name: "baseline", role: "system", pids: [plain.pid] }, ...ctx.loadWatched()],
    });
    await ctx.fleet.disconnect("baseline");
    for (const result of [ours, theirs]) {
      ctx.results.storms.push(result.storm);
      ctx.results.memory.push(result.memory);
      const { storm: s, memory: m } = result;
      ctx.log(
        `${s.target} connect storm: ${s.connected}/${s.clients} clients in ${s.seconds} s = ${s.perSecond} clients/s (${s.failed} failed${s.errors.length ? `: ${s.errors[0]}` : ""}); ${m.process} RSS ${m.rssBeforeMb} → ${m.rssAfterMb} MB = ${m.rssPerClientKb} KB/client, heap ${m.heapBeforeMb} → ${m.heapAfterMb} MB = ${m.heapPerClientKb} KB/client`,
      );
    }
  } finally {
    await plain.stop();
  }
}

/**
 * The gateway kill: clients 0…clients-1 connected, the first `onKilled` to gateway-1 and the rest
 * to gateway-2 (clients the storm left connected stay where they fit, the others move), W1 writes,
 * SIGKILL of gateway-1. One gateway takes over all the killed one's clients and keeps its own.
 */
export async function kill(
  ctx: PhaseContext,
  bench: BenchCluster,
  plan: Omit<KillPlan, "kill" | "log"> & { concurrency: number },
): Promise<void> {
  const { fleet } = ctx;
  const specs = specsOf(bench, plan.clients);
  const placed = await fleet.placement("tidings");
  const onKilled = Math.min(plan.onKilled, plan.clients);
  const nodeOf = (index: number) => (index < onKilled ? 0 : 1);
  const wrong = ([index, node]: readonly [number, number]) =>
    index >= plan.clients || node !== nodeOf(index);
  await fleet.disconnect(
    "tidings",
    placed.filter(wrong).map(([index]) => index),
  );
  const right = new Set(placed.filter((entry) => !wrong(entry)).map(([index]) => index));
  for (const node of [0, 1]) {
    const missing = specs.filter((s) => nodeOf(s.index) === node && !right.has(s.index));
    const answer = await fleet.connect("tidings", bench.gatewayUrls, missing, {
      concurrency: plan.concurrency,
      node,
    });
    ctx.log(
      `gateway-${node + 1}: +${missing.length} clients in ${answer.seconds.toFixed(1)} s (${answer.failed} failed)`,
    );
  }
  await ctx.writer.call("init", { users: bench.users });
  const { step, kill: result } = await gatewayKill(tidingsRig(ctx, bench), {
    clients: plan.clients,
    onKilled,
    rate: plan.rate,
    seconds: plan.seconds,
    after: plan.after,
    mix: plan.mix,
    activeShare: plan.activeShare,
    kill: () => bench.cluster.kill("gateway-1"),
    log: ctx.log,
  });
  ctx.results.steps.push(step);
  ctx.results.kills.push(result);
  ctx.log(describeStep(step));
  ctx.log(
    `gateway kill: ${result.lost}/${result.onKilledGateway} clients lost their connection, ${result.resumed} resumed; from the kill to resumed p50 ${result.resumeSeconds.p50} s, p90 ${result.resumeSeconds.p90} s, last ${result.resumeSeconds.max} s (${result.resyncs} resyncs, ${result.reconnectFailures} failed attempts, ${result.listenOverflows} accept-queue overflows)`,
  );
  await fleet.disconnect("tidings");
}
