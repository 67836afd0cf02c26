import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** A process (or a group of processes, summed) to measure. */
export interface WatchedProcess {
  name: string;
  pids: number[];
}

/** CPU and memory of one watched process over a step. */
export interface ProcessUsage {
  name: string;
  pids: number[];
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

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/**
 * The process doing the work under `pid`: services are started through the tsx launcher, which
 * runs the service as a child node process and only relays signals (the service's own child,
 * tsx's esbuild, is not it).
 */
export function workerOf(pid: number): number {
  const children = allPids().filter(
    (candidate) => parentOf(candidate) === pid && commandOf(candidate) === "node",
  );
  return children.length === 1 ? workerOf(children[0] as number) : pid;
}

/** Every process whose command name is `comm` (e.g. the machine's `redis-server`). */
export function pidsNamed(comm: string): number[] {
  return allPids().filter((pid) => commandOf(pid) === comm);
}

/**
 * Samples CPU time and resident memory of the watched processes during a step: CPU from the
 * difference of /proc counters between start and stop, memory as the peak of samples taken
 * every `everyMs`.
 */
export class ProcessSampler {
  readonly #watched: WatchedProcess[];
  readonly #everyMs: number;
  readonly #startTicks = new Map<number, number>();
  readonly #peakRss = new Map<number, number>();
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(watched: WatchedProcess[], everyMs = 500) {
    this.#watched = watched;
    this.#everyMs = everyMs;
  }

  #sample(): void {
    for (const pid of this.#watched.flatMap((process) => process.pids)) {
      const stat = readStat(pid);
      if (stat) this.#peakRss.set(pid, Math.max(this.#peakRss.get(pid) ?? 0, stat.rssBytes));
    }
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#peakRss.clear();
    for (const pid of this.#watched.flatMap((process) => process.pids))
      this.#startTicks.set(pid, readStat(pid)?.ticks ?? 0);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.#everyMs);
  }

  stop(): ProcessUsage[] {
    clearInterval(this.#timer);
    this.#sample();
    const seconds = (performance.now() - this.#startedAt) / 1000;
    return this.#watched.map(({ name, pids }) => {
      let ticks = 0;
      for (const pid of pids) {
        // A process that exited meanwhile (a PostgreSQL backend) took its counters with it.
        const end = readStat(pid)?.ticks;
        if (end !== undefined) ticks += end - (this.#startTicks.get(pid) ?? end);
      }
      const rss = pids.length === 1 ? (this.#peakRss.get(pids[0] as number) ?? 0) : null;
      return {
        name,
        pids,
        cpuPercent: Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10,
        peakRssMb: rss === null ? null : Math.round(rss / 1_048_576),
      };
    });
  }
}
