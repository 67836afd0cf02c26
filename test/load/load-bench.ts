import type { BaselineHandlers } from "./baseline-server.ts";
import { startBenchCluster } from "./bench-cluster.ts";
import type { StandaloneDb } from "./bench-standalone.ts";
import { forkChild } from "./child-rpc.ts";
import { ClientFleet } from "./client-fleet.ts";
import { kill, type PhaseContext, storm, sweep } from "./cluster-phases.ts";
import { MemoryProbe } from "./memory-probe.ts";
import type { WatchedProcess } from "./process-sampler.ts";
import { compare, type LoadReport, machine } from "./report.ts";
import { runSingleNode } from "./single-node.ts";
import { judge } from "./targets.ts";
import { type TracingPlan, tracingCost } from "./tracing-step.ts";
import type { WriteMix } from "./workload.ts";
import type { WriterHandlers } from "./writer.ts";

/** The steps `--steps` can select. */
export const STEP_NAMES = [
  "w1",
  "broadcast",
  "storm",
  "memory",
  "kill",
  "standalone",
  "history",
  "tracing",
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** What to run. */
export interface LoadBenchOptions {
  steps: readonly StepName[];
  /** W1 (and broadcast) client counts, swept upwards on the main cluster. */
  clients: number[];
  /** W1 write rates (writes/s) on the main cluster. */
  rates: number[];
  mix: WriteMix;
  /** Share of creates and updates that set `status = 'active'`. */
  activeShare: number;
  /** Offered deliveries/s of the broadcast steps (writes/s = this ÷ clients). */
  broadcastDeliveries: number[];
  seconds: number;
  workers: number;
  /** Connections set up at once when clients connect (over all workers). */
  concurrency: number;
  /** The main cluster's shape (W1 and broadcast). */
  records: number;
  evaluators: number;
  gateways: number;
  /** Connect storm into one gateway (also the memory step); memory is read `settleMs` after. */
  storm: { clients: number; concurrency: number; settleMs: number };
  /**
   * Gateway kill: clients over 2 gateways, `onKilled` of them on the one killed; W1 rate, seconds
   * of writes, SIGKILL after.
   */
  kill: { clients: number; onKilled: number; rate: number; seconds: number; after: number };
  /** Single-node W1: storages, clients, rates. */
  standalone: { dbs: StandaloneDb[]; clients: number; rates: number[] };
  /** Single-node history: events retained for the second measurement, the first, W1 rate. */
  history: { events: number; short: number; rate: number; dbs: StandaloneDb[] };
  /** Tracing's cost: the modes compared (first: the reference, normally "off") and the load. */
  tracing: Omit<TracingPlan, "seconds" | "mix" | "activeShare" | "concurrency">;
  /** NATS and Redis servers of the bench's own (their CPU is then the cluster's alone). */
  ownServers: boolean;
  /** More variables for every service. */
  env: Record<string, string>;
  cpuProfileDir?: string | undefined;
  command: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

const WRITER = new URL("./writer.ts", import.meta.url);
const BASELINE = new URL("./baseline-server.ts", import.meta.url);

/**
 * Runs the selected steps. The main cluster (`records/evaluators/gateways`, 1/1/1 by default)
 * serves W1 and the broadcast comparison; the storm, memory and kill steps run on a cluster of
 * 1 records, 1 evaluator and 2 gateways (or on the main cluster first, if it has 2 gateways);
 * then each single node. Returns the report.
 */
export async function runLoadBench(options: LoadBenchOptions): Promise<LoadReport> {
  const started = Date.now();
  const has = (name: StepName) => options.steps.includes(name);
  const fleet = new ClientFleet(options.workers);
  const writer = forkChild<WriterHandlers>(WRITER, "writer");
  const baseline = forkChild<BaselineHandlers>(BASELINE, "baseline", ["--expose-gc"]);
  const probe = new MemoryProbe();
  let steps = 0;
  const loadWatched = (): WatchedProcess[] => [
    { name: "writer", role: "load", pids: [writer.pid] },
    ...fleet.workers.map((w, i) => ({
      name: `client-${i + 1}`,
      role: "load" as const,
      pids: [w.pid],
    })),
    { name: "orchestrator", role: "load", pids: [process.pid] },
  ];
  const results: PhaseContext["results"] = {
    connects: [],
    steps: [],
    storms: [],
    memory: [],
    kills: [],
  };
  const histories: LoadReport["histories"] = [];
  let tracing: LoadReport["tracing"] = [];
  try {
    const port = await baseline.call("listen", undefined);
    const ctx: PhaseContext = {
      fleet,
      writer,
      baseline,
      baselineUrl: `http://127.0.0.1:${port}`,
      probe,
      loadWatched,
      nextStep: () => ++steps,
      log: options.log,
      signal: options.signal,
      results,
    };
    const { mix, activeShare, concurrency, seconds } = options;
    const gatewayWork = has("storm") || has("memory") || has("kill");
    const main = has("w1") || has("broadcast");
    const stormClients = has("storm") || has("memory") ? options.storm.clients : 0;
    const killClients = has("kill") ? options.kill.clients : 0;
    // With 2 gateways or more, the main cluster serves the storm (first: its gateway is fresh)
    // and the kill (last) too.
    const shared = main && gatewayWork && options.gateways >= 2;
    if (main) {
      await using bench = await startBenchCluster({
        records: options.records,
        evaluators: options.evaluators,
        gateways: options.gateways,
        users: Math.max(1, ...options.clients, shared ? Math.max(stormClients, killClients) : 0),
        env: options.env,
        cpuProfileDir: options.cpuProfileDir,
        ownServers: options.ownServers,
        memory: probe,
        log: options.log,
      });
      if (shared && stormClients > 0) {
        await storm(ctx, bench, options.storm);
        await fleet.disconnect("tidings");
      }
      await sweep(ctx, bench, {
        clients: options.clients,
        rates: has("w1") ? options.rates : [],
        broadcast: has("broadcast") ? options.broadcastDeliveries : [],
        seconds,
        mix,
        activeShare,
        concurrency,
      });
      if (shared && killClients > 0)
        await kill(ctx, bench, { ...options.kill, mix, activeShare, concurrency });
    }
    if (gatewayWork && !shared) {
      await using bench = await startBenchCluster({
        records: 1,
        evaluators: 1,
        gateways: 2,
        users: Math.max(stormClients, killClients),
        env: options.env,
        cpuProfileDir: options.cpuProfileDir,
        ownServers: options.ownServers,
        memory: probe,
        log: options.log,
      });
      if (stormClients > 0) await storm(ctx, bench, options.storm);
      if (killClients > 0)
        await kill(ctx, bench, { ...options.kill, mix, activeShare, concurrency });
      await fleet.disconnect("tidings");
    }
    if (has("tracing")) {
      const { mix, activeShare, concurrency, seconds } = options;
      tracing = await tracingCost(
        ctx,
        { ...options.tracing, mix, activeShare, concurrency, seconds },
        { env: options.env, ownServers: options.ownServers, users: options.tracing.clients },
      );
      await fleet.disconnect("tidings");
    }
    const dbs = [
      ...new Set([
        ...(has("standalone") ? options.standalone.dbs : []),
        ...(has("history") ? options.history.dbs : []),
      ]),
    ];
    for (const db of dbs) {
      options.signal?.throwIfAborted();
      const withHistory = has("history") && options.history.dbs.includes(db);
      const node = await runSingleNode(
        {
          fleet,
          writer,
          loadWatched,
          nextStep: ctx.nextStep,
          env: options.env,
          cpuProfileDir: options.cpuProfileDir,
          log: options.log,
          signal: options.signal,
        },
        {
          db,
          clients: options.standalone.clients,
          rates:
            has("standalone") && options.standalone.dbs.includes(db)
              ? options.standalone.rates
              : [],
          history: withHistory ? options.history : undefined,
          seconds,
          mix,
          activeShare,
          concurrency,
        },
      );
      results.steps.push(...node.steps);
      results.connects.push(...node.connects);
      if (node.history) histories.push(node.history);
    }
    const { log: _log, signal: _signal, ...settings } = options;
    const report = {
      date: new Date().toISOString(),
      command: options.command,
      machine: machine(),
      options: settings,
      ...results,
      comparisons: compare(results.steps),
      histories,
      tracing,
      seconds: (Date.now() - started) / 1000,
    };
    return { ...report, targets: judge(report) };
  } finally {
    await fleet.stop();
    await writer.stop();
    await baseline.stop();
    probe.dispose();
  }
}
