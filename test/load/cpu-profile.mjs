// Preloaded into the cluster's service processes by `npm run bench -- --cpu-prof DIR` through
// NODE_OPTIONS="--import …" (Node refuses --cpu-prof there): profiles the process from start to
// exit and writes DIR/<service>-<pid>.cpuprofile, for Chrome DevTools or speedscope. Plain
// JavaScript, because it loads before the tsx loader does.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const dir = process.env.LOAD_BENCH_CPU_PROFILE_DIR;
const service = /services\/(\w+)\//.exec(process.argv[1] ?? "")?.[1];
// The tsx launcher only relays signals to the service it runs: not worth a profile.
if (dir && service) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.start");
  process.once("exit", () => {
    // The inspector answers a session on the main thread synchronously, so this runs before exit.
    session.post("Profiler.stop", (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, `${service}-${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
    });
  });
}
