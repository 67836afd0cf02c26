import type { Redis } from "ioredis";

/** Counters of the whole Redis server: on a shared server they include other clients' work. */
export interface ServerCounters {
  cpuMs: number;
  netOutputBytes: number;
}

function field(info: string, name: string): number {
  const match = new RegExp(`^${name}:([\\d.]+)`, "m").exec(info);
  return match ? Number(match[1]) : 0;
}

export async function serverCounters(redis: Redis): Promise<ServerCounters> {
  const [cpu, stats] = await Promise.all([redis.info("cpu"), redis.info("stats")]);
  return {
    cpuMs: (field(cpu, "used_cpu_user") + field(cpu, "used_cpu_sys")) * 1000,
    netOutputBytes: field(stats, "total_net_output_bytes"),
  };
}

export function countersSince(before: ServerCounters, after: ServerCounters): ServerCounters {
  return {
    cpuMs: after.cpuMs - before.cpuMs,
    netOutputBytes: after.netOutputBytes - before.netOutputBytes,
  };
}

/**
 * Samples CLIENT LIST while a phase runs and keeps the largest output buffer (`omem`) of the
 * connections whose name starts with `namePrefix`: how far the subscribers fall behind Redis.
 * Redis 7.0 has no per-client byte counters, so this and the nodes' own counts are what we get.
 */
export function sampleOutputBuffers(redis: Redis, namePrefix: string, everyMs = 100) {
  let peak = 0;
  let seen = 0;
  let stopped = false;
  const sample = async () => {
    const list = await redis.client("LIST");
    let count = 0;
    for (const line of String(list).split("\n")) {
      if (!line.includes(` name=${namePrefix}`)) continue;
      count++;
      peak = Math.max(peak, Number(/ omem=(\d+)/.exec(line)?.[1] ?? 0));
    }
    seen = Math.max(seen, count);
  };
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop(): Promise<{ peakOutputBytes: number; connections: number }> {
      stopped = true;
      await loop;
      return { peakOutputBytes: peak, connections: seen };
    },
  };
}
