import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ask, forkScript, nextReply, stopChild } from "./child-processes.ts";
import type {
  ClientReply,
  ClientSpec,
  ServerConfig,
  ServerReading,
  ServerReply,
} from "./storm-protocol.ts";

const SERVER = new URL("./storm-server.ts", import.meta.url);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A forked server and its URL. */
export interface BenchServer {
  child: ChildProcess;
  url: string;
}

/**
 * Forks a server (with --expose-gc, for the memory readings) and waits until it listens. With
 * `cpuProfileDir`, it writes a CPU profile there when it stops.
 */
export async function startServer(config: ServerConfig): Promise<BenchServer> {
  const profile = config.cpuProfileDir
    ? ["--cpu-prof", `--cpu-prof-dir=${config.cpuProfileDir}`]
    : [];
  const child = forkScript(SERVER, config, ["--expose-gc", ...profile]);
  const { port } = await nextReply<ServerReply, "listening">(child, "listening");
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Writes a heap snapshot of the server to `file`.heapsnapshot. */
const snapshot = (server: BenchServer, file: string) =>
  ask<ServerReply, "snapshot">(
    server.child,
    { type: "snapshot", file: `${file}.heapsnapshot` },
    "snapshot",
  );

export const readServer = async (server: BenchServer): Promise<ServerReading> =>
  ask<ServerReply, "memory">(server.child, { type: "memory" }, "memory");

/** Connects `clients` through the workers (round robin) to `urls[0]`; resolves with the timing. */
export async function connectClients(
  workers: ChildProcess[],
  urls: string[],
  clients: ClientSpec[],
  concurrency: number,
) {
  const answers = await Promise.all(
    workers.map((worker, w) =>
      ask<ClientReply, "connected">(
        worker,
        {
          type: "connect",
          urls,
          clients: clients.filter((_, i) => i % workers.length === w),
          concurrency: Math.ceil(concurrency / workers.length),
        },
        "connected",
      ),
    ),
  );
  const seconds =
    (Math.max(...answers.map((a) => a.endedAt)) - Math.min(...answers.map((a) => a.startedAt))) /
    1_000;
  const failed = answers.reduce((sum, a) => sum + a.failed, 0);
  return { seconds, failed, errors: answers.flatMap((a) => a.errors).slice(0, 5) };
}

export const closeClients = (workers: ChildProcess[]) =>
  Promise.all(
    workers.map((worker) => ask<ClientReply, "closed">(worker, { type: "close" }, "closed")),
  );

/** One storm's figures. */
export interface StormResult {
  target: ServerConfig["kind"];
  /** 1 for the storm into a fresh server; 2… for the same clients again, after they all left. */
  round: number;
  clients: number;
  failed: number;
  errors: string[];
  seconds: number;
  perSecond: number;
  /** The server's CPU per connected client, in ms. */
  cpuMsPerClient: number;
  /** Share of the storm the server's event loop was busy (1: it was the bottleneck). */
  eventLoopBusy: number;
  rssPerClientKb: number;
  heapPerClientKb: number;
  heapTotalPerClientKb: number;
  externalPerClientKb: number;
  rssAfterMb: number;
}

const kb = (bytes: number, count: number) => Math.round(bytes / 102.4 / Math.max(count, 1)) / 10;

/** How a storm is run. */
export interface StormPlan {
  /** Connections being set up at once, over all workers. */
  concurrency: number;
  /** Storms into the same server, the clients leaving in between (later ones find it warm). */
  rounds: number;
  /** Write heap snapshots of the server before and after each storm into this folder. */
  snapshotDir?: string | undefined;
}

/**
 * Connects every client at once (`concurrency` in flight) to one fresh server, timed from the first
 * connect to the last client with both subscriptions acknowledged; then, settled, the server's
 * CPU and memory per client (after a full GC, minus the same before the storm).
 */
export async function connectStorm(
  config: ServerConfig,
  workers: ChildProcess[],
  clients: ClientSpec[],
  plan: StormPlan,
): Promise<StormResult[]> {
  const server = await startServer(config);
  const results: StormResult[] = [];
  try {
    await pause(1_000);
    for (let round = 1; round <= plan.rounds; round += 1) {
      const name = (count: number) =>
        join(plan.snapshotDir ?? "", `${config.kind}-${round}-${count}`);
      const before = await readServer(server);
      if (plan.snapshotDir) await snapshot(server, name(0));
      const run = await connectClients(workers, [server.url], clients, plan.concurrency);
      await pause(2_000);
      const after = await readServer(server);
      if (plan.snapshotDir) await snapshot(server, name(clients.length));
      await closeClients(workers);
      await pause(2_000);
      const connected = clients.length - run.failed;
      const loop = (reading: ServerReading) => reading.loopActiveMs + reading.loopIdleMs;
      results.push({
        target: config.kind,
        round,
        clients: connected,
        failed: run.failed,
        errors: run.errors,
        seconds: Math.round(run.seconds * 100) / 100,
        perSecond: Math.round(connected / run.seconds),
        cpuMsPerClient:
          Math.round((after.cpuUs - before.cpuUs) / 10 / Math.max(connected, 1)) / 100,
        eventLoopBusy:
          Math.round(
            ((after.loopActiveMs - before.loopActiveMs) / (loop(after) - loop(before))) * 100,
          ) / 100,
        rssPerClientKb: kb(after.rss - before.rss, connected),
        heapPerClientKb: kb(after.heapUsed - before.heapUsed, connected),
        heapTotalPerClientKb: kb(after.heapTotal - before.heapTotal, connected),
        externalPerClientKb: kb(after.external - before.external, connected),
        rssAfterMb: Math.round(after.rss / 104_857.6) / 10,
      });
    }
    return results;
  } finally {
    await stopChild(server.child);
  }
}
