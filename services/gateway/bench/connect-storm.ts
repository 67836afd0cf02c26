/**
 * Connect storm into ONE gateway (issue 13): N Socket.IO clients, from forked client workers,
 * connect with a token and subscribe to the per-user feed (`status = 'active'`, list rule
 * `owner = @request.auth.id`) and the broadcast feed, as fast as they can. Prints clients/s, the
 * gateway's CPU and memory (RSS and heap after a full GC) per client, and the same figures of a
 * plain Socket.IO server measured in the same run, with the ratios. With `--resume N`, it then
 * kills a gateway holding N clients while records are written, and reports how fast they resumed
 * on the other gateway and whether each received every change it may see, once.
 *
 *   npx tsx services/gateway/bench/connect-storm.ts [--clients 10000] [--workers 4]
 *     [--concurrency 1000] [--rounds 1] [--no-baseline] [--resume 0 --rate 100 --seconds 20 --after 5]
 *     [--env NAME=VALUE …] [--cpu-prof DIR] [--heap-snapshot DIR] [--json]
 *
 * Runs on the machine's PostgreSQL, NATS and Redis, in a database and prefixes of its own; the
 * records service and an evaluator run as processes beside the gateways.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { forkScript, killChildrenOnExit, nextReply, stopChild } from "./child-processes.ts";
import type { ClientReply, ClientSpec } from "./storm-protocol.ts";
import { gatewayKill, type ResumeResult } from "./storm-resume.ts";
import { connectStorm, type StormResult } from "./storm-steps.ts";
import { startStormWorld } from "./storm-world.ts";

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "10000" },
    workers: { type: "string", default: "4" },
    concurrency: { type: "string", default: "1000" },
    "no-baseline": { type: "boolean", default: false },
    resume: { type: "string", default: "0" },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "20" },
    after: { type: "string", default: "5" },
    env: { type: "string", multiple: true, default: [] },
    "cpu-prof": { type: "string" },
    "heap-snapshot": { type: "string" },
    rounds: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
  },
});
const whole = (
  name: "clients" | "workers" | "concurrency" | "rounds" | "resume" | "rate" | "seconds" | "after",
) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number`);
  return value;
};
const extraEnv = Object.fromEntries(
  (args.env as string[]).map((pair) => [
    pair.slice(0, pair.indexOf("=")),
    pair.slice(pair.indexOf("=") + 1),
  ]),
);
const log = (line: string) => console.error(line);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");

killChildrenOnExit();
const count = Math.max(whole("clients"), whole("resume"));
const startLoad = load();
log(`load average ${startLoad}; setting up ${count} users…`);
await using world = await startStormWorld(count, log);
const gatewayEnv = { ...world.gatewayEnv, ...extraEnv };
const workers = Array.from({ length: whole("workers") }, () =>
  forkScript(new URL("./storm-clients.ts", import.meta.url), {}),
);
await Promise.all(workers.map((worker) => nextReply<ClientReply, "ready">(worker, "ready")));
const specs = (n: number): ClientSpec[] =>
  world.users.slice(0, n).map((user, i) => ({ user: i, token: user.token }));

const storms: StormResult[] = [];
try {
  if (whole("clients") > 0) {
    const clients = specs(whole("clients"));
    const plan = {
      concurrency: whole("concurrency"),
      rounds: Math.max(1, whole("rounds")),
      snapshotDir: args["heap-snapshot"],
    };
    const profile = { cpuProfileDir: args["cpu-prof"] };
    log(`storm: ${clients.length} clients into one gateway…`);
    const gateway = { kind: "gateway" as const, env: gatewayEnv, ...profile };
    storms.push(...(await connectStorm(gateway, workers, clients, plan)));
    if (!args["no-baseline"]) {
      log(`storm: ${clients.length} clients into a plain Socket.IO server…`);
      const plain = { kind: "plain" as const, env: {}, ...profile };
      storms.push(...(await connectStorm(plain, workers, clients, plan)));
    }
  }
  let resume: ResumeResult | undefined;
  if (whole("resume") > 0) {
    log(
      `kill: ${whole("resume")} clients on a gateway killed ${whole("after")} s into the writes…`,
    );
    resume = await gatewayKill({ ...world, gatewayEnv }, workers, specs(whole("resume")), {
      rate: whole("rate"),
      seconds: whole("seconds"),
      after: whole("after"),
      concurrency: whole("concurrency"),
      cpuProfileDir: args["cpu-prof"],
    });
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    loadAverage: { start: startLoad, end: load() },
    env: extraEnv,
    storms,
    resume,
  };
  if (!args.json) {
    for (const s of storms)
      log(
        `${s.target.padEnd(8)} round ${s.round}: ${s.clients} clients in ${s.seconds} s = ${s.perSecond}/s (${s.failed} failed${s.errors.length ? `: ${s.errors.join("; ")}` : ""}); CPU ${s.cpuMsPerClient} ms/client (event loop busy ${Math.round(s.eventLoopBusy * 100)} %); RSS ${s.rssPerClientKb} KB/client (${s.rssAfterMb} MB), heap ${s.heapPerClientKb} KB/client (committed ${s.heapTotalPerClientKb}, external ${s.externalPerClientKb})`,
      );
    const ours = storms.find((s) => s.target === "gateway");
    const plain = storms.find((s) => s.target === "plain");
    if (ours && plain)
      log(
        `ratio gateway/plain: clients/s ${(ours.perSecond / plain.perSecond).toFixed(2)}, RSS/client ${(ours.rssPerClientKb / plain.rssPerClientKb).toFixed(2)}, heap/client ${(ours.heapPerClientKb / plain.heapPerClientKb).toFixed(2)}`,
      );
    if (resume)
      log(
        `kill: ${resume.resumed}/${resume.lost} resumed (of ${resume.clients}), p50 ${resume.p50} s, p90 ${resume.p90} s, max ${resume.max} s; CPU ${resume.cpuMsPerClient} ms/client; resyncs ${resume.resyncs}, reconnect failures ${resume.reconnectFailures}${resume.errors.length ? ` (${resume.errors.join("; ")})` : ""}; writes ${resume.writesOk}/${resume.writes}; deliveries expected ${resume.expected}, missing ${resume.missing}, duplicate ${resume.duplicate}, leaked ${resume.leaked}`,
      );
    log(`load average at the end ${report.loadAverage.end}`);
  }
  console.log(JSON.stringify(report, null, 2));
} finally {
  await Promise.all(workers.map((worker) => stopChild(worker)));
}
