// Preloaded into the bench's service processes (NODE_OPTIONS="--expose-gc --import …", like
// cpu-profile.mjs): on SIGUSR2, runs a full garbage collection and writes the process's memory
// to DIR/<pid>.json, so the memory step can read a gateway's heap as well as its RSS without an
// endpoint in the service. Plain JavaScript, because it loads before the tsx loader does.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.LOAD_BENCH_MEMORY_DIR;
if (dir) {
  process.on("SIGUSR2", () => {
    globalThis.gc?.();
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...process.memoryUsage(), at: Date.now() }));
    renameSync(`${file}.tmp`, file);
  });
}
