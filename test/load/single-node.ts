import { type StandaloneDb, startBenchStandalone } from "./bench-standalone.ts";
import type { Child } from "./child-rpc.ts";
import type { ClientFleet } from "./client-fleet.ts";
import { historyId } from "./history-fill.ts";
import { type Rig, runStep, type StepPlan } from "./measure-step.ts";
import { ProcessSampler, type WatchedProcess } from "./process-sampler.ts";
import type { ConnectResult, HistoryResult, StepResult } from "./report.ts";
import { streamPosition, watchRecord } from "./stream-probe.ts";
import type { WriteMix } from "./workload.ts";
import type { WriterHandlers } from "./writer.ts";

const GIB = 1024 ** 3;
/** Retention bytes allowed per history event: a filler event takes about 0.4 KiB in the bus. */
const BYTES_PER_EVENT = 2_048;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What to run on one single node. */
export interface SingleNodePlan {
  db: StandaloneDb;
  clients: number;
  /** W1 rates of the single-node target steps (none: only the history step). */
  rates: number[];
  /** The history step: W1 at `rate` with `short`, then with `events`, retained events. */
  history?: { events: number; short: number; rate: number } | undefined;
  seconds: number;
  mix: WriteMix;
  activeShare: number;
  concurrency: number;
}

/** The parts of the run a single node shares with the rest. */
export interface SingleNodeDeps {
  fleet: ClientFleet;
  writer: Child<WriterHandlers>;
  /** The bench's own processes (writer, clients, orchestrator). */
  loadWatched: () => WatchedProcess[];
  nextStep: () => number;
  env: Record<string, string>;
  cpuProfileDir?: string | undefined;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
}

// Waits (up to `timeoutMs`) until the processes use less than `percent` of a core over a second.
async function untilQuiet(watched: WatchedProcess[], percent = 10, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const sampler = new ProcessSampler(watched);
    sampler.start();
    await pause(1_000);
    if (sampler.stop().every((usage) => usage.cpuPercent < percent)) return;
  }
}

/**
 * Starts a single node (`npm start`'s process) on PostgreSQL or PGlite, connects the clients and
 * runs W1 at each rate; with `history`, measures the same W1 step with a short history and again
 * after filling it (internal publish API) to `events` retained change events.
 */
export async function runSingleNode(
  deps: SingleNodeDeps,
  plan: SingleNodePlan,
): Promise<{ steps: StepResult[]; connects: ConnectResult[]; history?: HistoryResult }> {
  const maxBytes = plan.history ? Math.max(GIB, plan.history.events * BYTES_PER_EVENT) : GIB;
  await using node = await startBenchStandalone({
    db: plan.db,
    users: plan.clients,
    env: { TIDINGS_RESUME_MAX_BYTES: String(maxBytes), ...deps.env },
    cpuProfileDir: deps.cpuProfileDir,
    log: deps.log,
  });
  const { fleet, writer, log } = deps;
  await writer.call("init", { users: node.users });
  const specs = node.users.map((user, index) => ({ index, userId: user.id, token: user.token }));
  const answer = await fleet.connect("tidings", [node.url], specs, {
    concurrency: plan.concurrency,
  });
  const connect: ConnectResult = {
    target: "tidings",
    deployment: node.name,
    clients: answer.connected,
    added: specs.length,
    seconds: Math.round(answer.seconds * 10) / 10,
    failed: answer.failed,
    errors: answer.errors,
  };
  log(`${node.name}: ${answer.connected} clients connected in ${connect.seconds} s`);
  const rig: Rig = {
    deployment: node.name,
    fleet,
    writer,
    writeUrls: [node.url],
    watched: () => [...node.watched(), ...deps.loadWatched()],
    nextStep: deps.nextStep,
  };
  const steps: StepResult[] = [];
  const step = async (kind: StepPlan["kind"], rate: number, seconds = plan.seconds) => {
    deps.signal?.throwIfAborted();
    const retained = (await streamPosition(node.url, specs[0]?.token ?? "")).retained;
    const result = await runStep(rig, {
      kind,
      target: "tidings",
      feed: "feed",
      clients: plan.clients,
      rate,
      seconds,
      mix: plan.mix,
      activeShare: plan.activeShare,
      retained,
    });
    steps.push(result);
    log(
      `${node.name} ${kind}: ${result.clients} clients × ${rate} writes/s (${result.writes.acknowledgedPerSecond} acknowledged/s), ${retained.toLocaleString("en-US")} events retained → p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} ms, CPU ${result.cpu.msPerWrite} ms/write, ${result.cpu.msPerDelivery} ms/delivery; missing ${result.missing}, duplicate ${result.duplicate}, leaked ${result.leaked}, out of order ${result.outOfOrder}`,
    );
    return result;
  };
  let nextFiller = 0;
  let filled = { events: 0, seconds: 0 };
  // Publishes filler events until `target` events are retained; resolves once all went through
  // (the last one reached a subscriber), logging progress on the way.
  const fillTo = async (target: number) => {
    const token = specs[0]?.token ?? "";
    const { retained } = await streamPosition(node.url, token);
    const count = target - retained;
    if (count <= 0) return;
    const last = historyId(nextFiller + count - 1);
    const sentinel = await watchRecord(node.url, token, "history", last);
    const started = Date.now();
    let probing = false;
    const progress = setInterval(() => {
      if (probing) return; // a busy node answers slowly: one probe at a time
      probing = true;
      void streamPosition(node.url, token)
        .then(
          (position) =>
            log(
              `${node.name}: ${position.retained.toLocaleString("en-US")} events retained after ${Math.round((Date.now() - started) / 1000)} s`,
            ),
          () => {},
        )
        .finally(() => {
          probing = false;
        });
    }, 30_000);
    try {
      log(`${node.name}: publishing ${count.toLocaleString("en-US")} history events…`);
      const published = await writer.call("fill", {
        url: node.url,
        serviceToken: node.serviceToken,
        from: nextFiller,
        count,
        batch: 1_000,
        concurrency: 1,
      });
      if (Object.keys(published.failures).length > 0)
        log(
          `${node.name}: refused publish requests (retried): ${JSON.stringify(published.failures)}`,
        );
      await sentinel.arrived;
      const seconds = (Date.now() - started) / 1000;
      nextFiller += count;
      filled = { events: filled.events + count, seconds: filled.seconds + seconds };
      log(
        `${node.name}: ${count.toLocaleString("en-US")} events published, relayed and evaluated in ${seconds.toFixed(1)} s`,
      );
    } finally {
      clearInterval(progress);
      sentinel.close();
    }
  };
  let short: StepResult | undefined;
  // A short W1 step first, unjudged, so the measured ones find the code compiled and the pools open.
  await step("warm-up", plan.history?.rate ?? plan.rates[0] ?? 100, Math.min(2, plan.seconds));
  if (plan.history) {
    await fillTo(plan.history.short);
    short = await step("history", plan.history.rate);
  }
  for (const rate of plan.rates) await step("single-node", rate);
  let history: HistoryResult | undefined;
  if (plan.history && short) {
    filled = { events: 0, seconds: 0 };
    await fillTo(plan.history.events);
    // Let the node settle (garbage collection, outbox cleanup) before the measured step.
    await untilQuiet(node.watched().slice(0, 1));
    const long = await step("history", plan.history.rate);
    const figures = (s: StepResult) => ({
      step: s.step,
      retained: s.retained ?? 0,
      msPerWrite: s.cpu.msPerWrite,
      msPerDelivery: s.cpu.msPerDelivery,
    });
    const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);
    history = {
      deployment: node.name,
      short: figures(short),
      long: figures(long),
      fill: {
        events: filled.events,
        seconds: Math.round(filled.seconds * 10) / 10,
        perSecond: filled.seconds > 0 ? Math.round(filled.events / filled.seconds) : 0,
      },
      perWriteRatio: ratio(long.cpu.msPerWrite, short.cpu.msPerWrite),
      perDeliveryRatio: ratio(long.cpu.msPerDelivery, short.cpu.msPerDelivery),
      maxBytes,
    };
  }
  await fleet.disconnect("tidings");
  return { steps, connects: [connect], ...(history ? { history } : {}) };
}
