import type { PairingName } from "./pairings.ts";

/** CPU time of one process over a phase, in milliseconds (from `process.cpuUsage`). */
export interface CpuMs {
  user: number;
  system: number;
}

/** What a forked gateway node is started with (JSON in argv[2]). */
export interface GatewayConfig {
  pairing: PairingName;
  redisUrl: string;
  prefix: string;
  index: number;
}

/** What the forked emitter process is started with (JSON in argv[2]). */
export interface SenderConfig {
  pairing: PairingName;
  redisUrl: string;
  prefix: string;
  rooms: string[];
  batch: number;
  inflight: number;
  payloadBytes: number;
}

/** Orchestrator → child. */
export type Command =
  | { type: "reset" }
  | { type: "report" }
  | { type: "emit"; count: number; firstSeq: number; seed: number };

/** Child → orchestrator. */
export type Reply =
  | { type: "listening"; port: number }
  | { type: "ready" }
  | { type: "reset" }
  | { type: "report"; messages: number; bytes: number; cpu: CpuMs }
  | { type: "emitted"; count: number; ms: number; cpu: CpuMs };

/** CPU time spent since `since` (a `process.cpuUsage()` snapshot), in milliseconds. */
export function cpuSince(since: NodeJS.CpuUsage): CpuMs {
  const { user, system } = process.cpuUsage(since);
  return { user: user / 1000, system: system / 1000 };
}
