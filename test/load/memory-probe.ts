import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HOOK = new URL("./memory-probe.mjs", import.meta.url).href;

/** Memory of a process, in bytes, after a full garbage collection. */
export interface MemoryReading {
  rss: number;
  heapUsed: number;
  external: number;
}

/**
 * Reads the memory of service processes started with {@link MemoryProbe.env} in their
 * environment: SIGUSR2 makes the preloaded hook collect garbage and write its `memoryUsage()`.
 */
export class MemoryProbe {
  readonly dir = mkdtempSync(join(tmpdir(), "tidings-load-memory-"));

  /** Variables that preload the hook (merged with the CPU profile hook's NODE_OPTIONS if any). */
  env(nodeOptions = ""): Record<string, string> {
    return {
      NODE_OPTIONS: `${nodeOptions} --expose-gc --import ${HOOK}`.trim(),
      LOAD_BENCH_MEMORY_DIR: this.dir,
    };
  }

  async read(pid: number, timeoutMs = 15_000): Promise<MemoryReading> {
    const file = join(this.dir, `${pid}.json`);
    rmSync(file, { force: true });
    process.kill(pid, "SIGUSR2");
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { rss, heapUsed, external } = JSON.parse(readFileSync(file, "utf8")) as MemoryReading;
        return { rss, heapUsed, external };
      } catch {
        if (Date.now() > deadline) throw new Error(`process ${pid} wrote no memory reading`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
