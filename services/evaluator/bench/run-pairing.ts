import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { BenchClients } from "./bench-clients.ts";
import { forkScript, killAll, nextReply, request } from "./child-processes.ts";
import { type CpuMs, cpuSince, type GatewayConfig, type SenderConfig } from "./emit-protocol.ts";
import type { PairingName } from "./pairings.ts";
import { countersSince, sampleOutputBuffers, serverCounters } from "./redis-stats.ts";
import { roomName } from "./workload.ts";

export interface BenchOptions {
  redisUrl: string;
  /** Unique per run, so nothing collides with other users of the shared Redis. */
  prefix: string;
  nodes: number;
  roomsPerNode: number;
  clientsPerNode: number;
  messages: number;
  warmup: number;
  batch: number;
  inflight: number;
  payloadBytes: number;
  seed: number;
}

/** What one pairing did in the measured phase. */
export interface PairingResult {
  pairing: PairingName;
  emitted: { messages: number; ms: number; perSecond: number };
  delivered: {
    unique: number;
    duplicates: number;
    lost: number;
    /** From the emit command to the last arrival at a client. */
    ms: number;
    perSecond: number;
  };
  /** Counted at each node's subscriber connection: what Redis pushed to it. */
  redisToNodes: { messages: number[]; bytes: number[]; totalMessages: number; totalBytes: number };
  cpuMs: { emitter: number; nodes: number[]; nodesTotal: number; clients: number };
  /** Whole-server counters of the shared Redis over the phase. */
  redisServer: { cpuMs: number; netOutputBytes: number };
  subscriberPeakOutputBytes: number;
}

const GATEWAY = new URL("./emit-gateway.ts", import.meta.url);
const SENDER = new URL("./emit-sender.ts", import.meta.url);
const total = (cpu: CpuMs) => cpu.user + cpu.system;

/** Starts G nodes, their clients and an emitter for one pairing, warms up, measures, tears down. */
export async function runPairing(
  pairing: PairingName,
  options: BenchOptions,
): Promise<PairingResult> {
  const prefix = `${options.prefix}-${pairing}`;
  const nodes: ChildProcess[] = [];
  const clients = new BenchClients();
  const admin = new Redis(options.redisUrl);
  let sender: ChildProcess | undefined;
  try {
    const rooms: string[][] = [];
    for (let index = 0; index < options.nodes; index++) {
      const config: GatewayConfig = { pairing, redisUrl: options.redisUrl, prefix, index };
      nodes.push(forkScript(GATEWAY, config));
      rooms.push(Array.from({ length: options.roomsPerNode }, (_, room) => roomName(index, room)));
    }
    const ports = await Promise.all(nodes.map((node) => nextReply(node, "listening")));
    for (const [index, { port }] of ports.entries())
      await clients.connect(port, rooms[index] as string[], options.clientsPerNode);

    const senderConfig: SenderConfig = {
      pairing,
      redisUrl: options.redisUrl,
      prefix,
      rooms: rooms.flat(),
      batch: options.batch,
      inflight: options.inflight,
      payloadBytes: options.payloadBytes,
    };
    sender = forkScript(SENDER, senderConfig);
    await nextReply(sender, "ready");

    // Warm-up: JIT, connection buffers and Redis' channel tables settle before anything is timed.
    clients.tracker.expect(1, options.warmup);
    await request(sender, { type: "emit", count: options.warmup, firstSeq: 1, seed: 7 }, "emitted");
    await clients.tracker.settle(2000);

    const firstSeq = options.warmup + 1;
    clients.tracker.expect(firstSeq, options.messages);
    await Promise.all(nodes.map((node) => request(node, { type: "reset" }, "reset")));
    const serverBefore = await serverCounters(admin);
    const buffers = sampleOutputBuffers(admin, `${prefix}:sub:`);
    const clientCpu = process.cpuUsage();
    const started = performance.now();
    const emitted = await request(
      sender,
      { type: "emit", count: options.messages, firstSeq, seed: options.seed },
      "emitted",
    );
    await clients.tracker.settle(3000);
    const clientsCpu = cpuSince(clientCpu);
    const deliveredMs = clients.tracker.lastAt - started;
    const { peakOutputBytes } = await buffers.stop();
    const serverAfter = await serverCounters(admin);
    const reports = await Promise.all(
      nodes.map((node) => request(node, { type: "report" }, "report")),
    );

    const { unique, duplicates } = clients.tracker;
    const nodeCpu = reports.map((report) => total(report.cpu));
    return {
      pairing,
      emitted: {
        messages: emitted.count,
        ms: emitted.ms,
        perSecond: (emitted.count / emitted.ms) * 1000,
      },
      delivered: {
        unique,
        duplicates,
        lost: options.messages - unique,
        ms: deliveredMs,
        perSecond: (unique / deliveredMs) * 1000,
      },
      redisToNodes: {
        messages: reports.map((report) => report.messages),
        bytes: reports.map((report) => report.bytes),
        totalMessages: reports.reduce((sum, report) => sum + report.messages, 0),
        totalBytes: reports.reduce((sum, report) => sum + report.bytes, 0),
      },
      cpuMs: {
        emitter: total(emitted.cpu),
        nodes: nodeCpu,
        nodesTotal: nodeCpu.reduce((sum, cpu) => sum + cpu, 0),
        clients: total(clientsCpu),
      },
      redisServer: countersSince(serverBefore, serverAfter),
      subscriberPeakOutputBytes: peakOutputBytes,
    };
  } finally {
    clients.close();
    await killAll(sender ? [...nodes, sender] : nodes);
    admin.disconnect();
  }
}
