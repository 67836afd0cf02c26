import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * What a process's CPU counts towards: `system` is Tidings and the servers it needs (its cost per
 * write), `load` the bench's load generators (writer, clients, orchestrator), `other` the rest
 * (the baseline server).
 */
export type ProcessRole = "system" | "load" | "other";

/** A process (or a group of processes, summed) to measure. */
export interface WatchedProcess {
  name: string;
  role: ProcessRole;
  /** The pids, or how to find them (looked up at start and at stop: backends come and go). */
  pids: number[] | (() => number[]);
}

/** CPU and memory of one watched process over a step. */
export interface ProcessUsage {
  name: string;
  role: ProcessRole;
  pids: number[];
  /** CPU time over the step, in seconds. */
  cpuSeconds: number;
  /** CPU time over wall time; 100 is one core busy. */
  cpuPercent: number;
  /** Largest resident set seen while sampling (MiB); null for groups (shared memory). */
  peakRssMb: number | null;
}

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());
const PAGE_BYTES = Number(execFileSync("getconf", ["PAGESIZE"]).toString().trim());

// utime + stime (in ticks) and resident pages, from /proc/<pid>/stat (fields 14, 15 and 24).
function readStat(pid: number): { ticks: number; rssBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its end.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      ticks: Number(fields[11]) + Number(fields[12]),
      rssBytes: Number(fields[21]) * PAGE_BYTES,
    };
  } catch {
    return undefined; // the process is gone
  }
}

/** Resident memory of a process in bytes, or 0 if it is gone. */
export function rssOf(pid: number): number {
  return readStat(pid)?.rssBytes ?? 0;
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

function read(pid: number, file: "comm" | "cmdline"): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

/** Every process whose command name is `comm` and, if given, whose command line has `part`. */
export function pidsNamed(comm: string, part?: string): number[] {
  return allPids().filter(
    (pid) =>
      read(pid, "comm") === comm && (part === undefined || read(pid, "cmdline").includes(part)),
  );
}

/** PostgreSQL backends (and autovacuum workers) of one database. */
export function postgresBackends(database: string): number[] {
  return pidsNamed("postgres").filter((pid) => {
    const line = ` ${read(pid, "cmdline")} `;
    return line.includes(` ${database} `);
  });
}

/**
 * The PostgreSQL server's own processes (postmaster, checkpointer, WAL writer…): shared by every
 * database of the server, so other users' writes count here too.
 */
export function postgresAuxiliaries(): number[] {
  return pidsNamed("postgres").filter((pid) => {
    const line = read(pid, "cmdline");
    return !/\(\d+\)|\[local\]|autovacuum worker/.test(line);
  });
}

const resolve = (process: WatchedProcess) =>
  typeof process.pids === "function" ? process.pids() : process.pids;

/**
 * Samples CPU time and resident memory of the watched processes during a step: CPU from the
 * difference of /proc counters between start and stop (a process that appeared meanwhile counts
 * from zero, one that exited loses its share), memory as the peak of samples every `everyMs`.
 */
export class ProcessSampler {
  readonly #watched: WatchedProcess[];
  readonly #everyMs: number;
  readonly #startTicks = new Map<number, number>();
  readonly #peakRss = new Map<number, number>();
  #pids = new Map<WatchedProcess, number[]>();
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(watched: WatchedProcess[], everyMs = 500) {
    this.#watched = watched;
    this.#everyMs = everyMs;
  }

  #sample(): void {
    for (const pid of [...this.#pids.values()].flat()) {
      const stat = readStat(pid);
      if (stat) this.#peakRss.set(pid, Math.max(this.#peakRss.get(pid) ?? 0, stat.rssBytes));
    }
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#peakRss.clear();
    this.#startTicks.clear();
    this.#pids = new Map(this.#watched.map((process) => [process, resolve(process)]));
    for (const pid of [...this.#pids.values()].flat())
      this.#startTicks.set(pid, readStat(pid)?.ticks ?? 0);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.#everyMs);
  }

  stop(): ProcessUsage[] {
    clearInterval(this.#timer);
    this.#sample();
    const seconds = (performance.now() - this.#startedAt) / 1000;
    return this.#watched.map((process) => {
      const pids = [...new Set([...(this.#pids.get(process) ?? []), ...resolve(process)])];
      let ticks = 0;
      for (const pid of pids) {
        const end = readStat(pid)?.ticks;
        if (end !== undefined) ticks += end - (this.#startTicks.get(pid) ?? 0);
      }
      const rss = pids.length === 1 ? (this.#peakRss.get(pids[0] as number) ?? 0) : null;
      const cpuSeconds = ticks / TICKS_PER_SECOND;
      return {
        name: process.name,
        role: process.role,
        pids,
        cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
        cpuPercent: Math.round((cpuSeconds / seconds) * 1000) / 10,
        peakRssMb: rss === null ? null : Math.round(rss / 1_048_576),
      };
    });
  }
}

/** CPU seconds of the processes with the given role. */
export const cpuSecondsOf = (usage: ProcessUsage[], role: ProcessRole) =>
  usage.filter((process) => process.role === role).reduce((sum, p) => sum + p.cpuSeconds, 0);

/**
 * The kernel's count of connections dropped because a listening socket's accept queue was full
 * (TcpExt ListenOverflows, machine-wide): a server whose event loop falls behind a connection
 * storm shows here, its clients as resets and timeouts.
 */
export function listenOverflows(): number {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
    const names = lines.find((line) => line.startsWith("TcpExt:"))?.split(" ") ?? [];
    const values = lines.filter((line) => line.startsWith("TcpExt:"))[1]?.split(" ") ?? [];
    return Number(values[names.indexOf("ListenOverflows")] ?? 0);
  } catch {
    return 0;
  }
}
