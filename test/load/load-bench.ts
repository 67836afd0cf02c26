import { loadavg } from "node:os";
import type { BaselineHandlers } from "./baseline-server.ts";
import { type BenchCluster, startBenchCluster } from "./bench-cluster.ts";
import { type Child, forkChild } from "./child-rpc.ts";
import { ClientFleet } from "./client-fleet.ts";
import { ProcessSampler, pidsNamed, type WatchedProcess, workerOf } from "./process-sampler.ts";
import {
  type ConnectResult,
  compare,
  judge,
  type LoadReport,
  machine,
  type StepResult,
} from "./report.ts";
import type { FeedName, Target } from "./workload.ts";
import type { WriteLog, WriterHandlers } from "./writer.ts";

/** What to run. */
export interface LoadBenchOptions {
  /** Client counts, swept upwards (connections are added, not remade, between counts). */
  clients: number[];
  /** Per-user feed write rates (writes/s). */
  rates: number[];
  /**
   * Offered deliveries per second of the broadcast steps; the write rate is this divided by the
   * client count, so every client count is asked for the same work.
   */
  broadcastDeliveries: number[];
  seconds: number;
  workers: number;
  records: number;
  evaluators: number;
  gateways: number;
  /** Share of per-user writes with `status = 'active'` (the others must reach nobody). */
  activeShare: number;
  /** More variables for every service of the cluster. */
  env: Record<string, string>;
  /** Folder for CPU profiles of the service processes (written when they stop). */
  cpuProfileDir?: string | undefined;
  command: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Parts of a run that every step uses. */
interface Rig {
  bench: BenchCluster;
  fleet: ClientFleet;
  writer: Child<WriterHandlers>;
  baselineUrl: string;
  watched: WatchedProcess[];
}

// Waits until the clients hold every expected delivery, or nothing more arrives for 3 s.
async function drain(rig: Rig, target: Target, expected: number): Promise<void> {
  let last = -1;
  let still = Date.now();
  for (;;) {
    const received = await rig.fleet.received(target);
    if (received >= expected) return;
    if (received !== last) {
      last = received;
      still = Date.now();
    } else if (Date.now() - still > 3_000) return;
    await pause(200);
  }
}

async function runStep(
  rig: Rig,
  step: number,
  plan: { target: Target; feed: FeedName; clients: number; rate: number },
  options: LoadBenchOptions,
): Promise<StepResult> {
  const { target, feed, clients, rate } = plan;
  await rig.fleet.begin(target, step, feed);
  const sampler = new ProcessSampler(rig.watched);
  sampler.start();
  const log: WriteLog = await rig.writer.call("run", {
    urls: target === "tidings" ? rig.bench.recordsUrls : [rig.baselineUrl],
    feed,
    step,
    rate,
    seconds: options.seconds,
    users: clients,
    activeShare: options.activeShare,
    seed: step,
  });
  const acknowledged = log.writes.filter((write) => write.ok);
  const expected =
    feed === "news"
      ? acknowledged.length * clients
      : acknowledged.filter((write) => write.active).length;
  await drain(rig, target, expected);
  const processes = sampler.stop();
  const check = await rig.fleet.check(target, log.writes);
  const spanSeconds = (check.lastAt - log.startedAt) / 1000;
  return {
    step,
    target,
    feed,
    clients: check.clients,
    rate,
    seconds: options.seconds,
    writes: {
      attempted: log.writes.length,
      acknowledged: acknowledged.length,
      failures: log.failures,
      acknowledgedPerSecond: Math.round(
        (acknowledged.length * 1000) / Math.max(1, log.endedAt - log.startedAt),
      ),
      maxLagMs: log.maxLagMs,
      answerMs: log.answerMs,
    },
    deliveries: {
      expected: check.expected,
      received: check.received,
      offeredPerSecond: Math.round(check.expected / options.seconds),
      perSecond: spanSeconds > 0 ? Math.round(check.received / spanSeconds) : 0,
    },
    latencyMs: check.latency.summary(),
    pipelineMs: check.pipeline.summary(),
    missing: check.missing,
    duplicate: check.duplicate,
    leaked: check.leaked,
    unconfirmed: check.unconfirmed,
    stray: check.stray,
    disconnected: check.disconnected,
    processes,
    loadavg: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

// Every process whose CPU and memory a step reports: the cluster's services (the node process
// under each tsx launcher), the bench's own processes, and the machine's shared servers.
function watchedProcesses(
  bench: BenchCluster,
  fleet: ClientFleet,
  writer: Child<WriterHandlers>,
  baseline: Child<BaselineHandlers>,
): WatchedProcess[] {
  return [
    ...bench.cluster.services.map((service) => ({
      name: service.name,
      pids: [workerOf(service.child.pid as number)],
    })),
    { name: "baseline", pids: [baseline.pid] },
    { name: "writer", pids: [writer.pid] },
    ...fleet.workers.map((worker, i) => ({ name: `client-${i + 1}`, pids: [worker.pid] })),
    { name: "orchestrator", pids: [process.pid] },
    { name: "redis-server", pids: pidsNamed("redis-server") },
    { name: "nats-server", pids: pidsNamed("nats-server") },
    { name: "postgres (all)", pids: pidsNamed("postgres") },
  ];
}

/**
 * Runs the sweep: for each client count, the per-user feed at each rate, then the broadcast feed
 * and the plain Socket.IO baseline side by side at each offered load. Returns the report.
 */
export async function runLoadBench(options: LoadBenchOptions): Promise<LoadReport> {
  const clientCounts = [...options.clients].sort((a, b) => a - b);
  const most = clientCounts.at(-1) ?? 0;
  await using bench = await startBenchCluster({
    records: options.records,
    evaluators: options.evaluators,
    gateways: options.gateways,
    users: most,
    cpuProfileDir: options.cpuProfileDir,
    env: options.env,
    log: options.log,
  });
  const fleet = new ClientFleet(options.workers);
  const writer = forkChild<WriterHandlers>(new URL("./writer.ts", import.meta.url), "writer");
  const baseline = forkChild<BaselineHandlers>(
    new URL("./baseline-server.ts", import.meta.url),
    "baseline",
  );
  try {
    const port = await baseline.call("listen", undefined);
    await writer.call("init", { users: bench.users });
    const rig: Rig = {
      bench,
      fleet,
      writer,
      baselineUrl: `http://127.0.0.1:${port}`,
      watched: watchedProcesses(bench, fleet, writer, baseline),
    };
    const specs = bench.users.map((user, index) => ({ index, userId: user.id, token: user.token }));
    const connects: ConnectResult[] = [];
    const connect = async (target: Target, from: number, to: number) => {
      const started = Date.now();
      const urls = target === "tidings" ? bench.gatewayUrls : [rig.baselineUrl];
      const answer = await fleet.connect(target, urls, specs.slice(from, to));
      const result = {
        target,
        clients: answer.connected,
        added: to - from,
        seconds: Math.round((Date.now() - started) / 100) / 10,
        failed: answer.failed,
        errors: answer.errors,
      };
      connects.push(result);
      options.log(
        `${target}: ${result.clients} clients connected (+${result.added} in ${result.seconds} s, ${result.failed} failed${result.errors.length ? `: ${result.errors[0]}` : ""})`,
      );
      return answer.connected;
    };
    const steps: StepResult[] = [];
    const step = async (target: Target, feed: FeedName, clients: number, rate: number) => {
      options.signal?.throwIfAborted();
      const result = await runStep(rig, steps.length + 1, { target, feed, clients, rate }, options);
      steps.push(result);
      options.log(
        `${target} ${feed === "feed" ? "per-user" : "broadcast"}: ${result.clients} clients × ${rate} writes/s → ${result.deliveries.perSecond} deliveries/s, p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} max ${result.latencyMs.max} ms (REST answer p50 ${result.writes.answerMs.p50} p99 ${result.writes.answerMs.p99}; commit → client p50 ${result.pipelineMs.p50} p99 ${result.pipelineMs.p99}), missing ${result.missing}, duplicate ${result.duplicate}, leaked ${result.leaked}`,
      );
    };
    let connected = 0;
    let held = 0;
    for (const count of clientCounts) {
      connected = await connect("tidings", held, count);
      held = count;
      for (const rate of options.rates) await step("tidings", "feed", count, rate);
      if (options.broadcastDeliveries.length === 0) continue;
      await connect("baseline", 0, count);
      for (const load of options.broadcastDeliveries) {
        const rate = Math.max(1, Math.round(load / count));
        await step("tidings", "news", count, rate);
        await step("baseline", "news", count, rate);
      }
      await fleet.disconnect("baseline");
    }
    const comparisons = compare(steps);
    const { log: _log, signal: _signal, ...settings } = options;
    return {
      date: new Date().toISOString(),
      command: options.command,
      machine: machine(),
      options: settings,
      connects,
      steps,
      comparisons,
      targets: judge(steps, comparisons, connected),
    };
  } finally {
    await fleet.stop();
    await writer.stop();
    await baseline.stop();
  }
}
