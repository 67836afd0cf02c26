// `npm run bench`: the load benchmark (issue 13's figures). See docs/benchmarks.md "Load" for what
// each step measures. Prints a summary (stderr) and the JSON report (stdout), writes report.json
// and chart.svg under --out, and exits 1 if any step missed, doubled, leaked or reordered anything.
//
//   npm run bench -- [--steps w1,broadcast,storm,memory,kill,standalone,history,tracing] [--quick]
//     [--clients 3000] [--rates 100,300,500] [--mix 60,30,10] [--active-share 0.5]
//     [--broadcast 20000,100000] [--seconds 10] [--workers 4] [--concurrency 200]
//     [--records 1 --evaluators 1 --gateways 1]
//     [--storm 10000 --storm-concurrency 1000]
//     [--kill-clients 12000 --kill-on-killed 10000 --kill-rate 100 --kill-seconds 20 --kill-after 5]
//     [--standalone pg,pglite --standalone-clients 3000 --standalone-rates 100,300]
//     [--history 1000000 --history-short 1000 --history-rate 200 --history-db pglite]
//     [--tracing off,1,0.1 --tracing-clients 1000 --tracing-rate 300 --tracing-broadcast 20000]
//     [--shared-servers] [--env NAME=VALUE …] [--cpu-prof DIR] [--out DIR]
import { parseArgs } from "node:util";
import type { StandaloneDb } from "./bench-standalone.ts";
import { runLoadBench, STEP_NAMES, type StepName } from "./load-bench.ts";
import { faulty } from "./report.ts";
import { saveReport } from "./save-report.ts";
import { summaryTable } from "./summary.ts";
import type { TracingMode } from "./tracing-step.ts";

const FULL = {
  steps: STEP_NAMES.join(","),
  clients: "3000",
  rates: "100,300,500",
  mix: "60,30,10",
  "active-share": "0.5",
  broadcast: "20000,100000",
  seconds: "10",
  workers: "4",
  concurrency: "200",
  records: "1",
  evaluators: "1",
  gateways: "1",
  storm: "10000",
  "storm-concurrency": "1000",
  "kill-clients": "12000",
  "kill-on-killed": "10000",
  "kill-rate": "100",
  "kill-seconds": "20",
  "kill-after": "5",
  standalone: "pg,pglite",
  "standalone-clients": "3000",
  "standalone-rates": "100,300",
  history: "1000000",
  "history-short": "1000",
  "history-rate": "200",
  "history-db": "pglite",
  tracing: "off,1,0.1",
  "tracing-clients": "1000",
  "tracing-rate": "300",
  "tracing-broadcast": "20000",
};
// --quick: a smoke run of every step in about a minute (two gateways, so one cluster serves all).
const QUICK: typeof FULL = {
  ...FULL,
  clients: "150",
  rates: "50",
  broadcast: "5000",
  seconds: "3",
  workers: "2",
  concurrency: "100",
  gateways: "2",
  storm: "200",
  "storm-concurrency": "100",
  "kill-clients": "200",
  "kill-on-killed": "150",
  "kill-rate": "40",
  "kill-seconds": "6",
  "kill-after": "2",
  standalone: "pglite",
  "standalone-clients": "150",
  "standalone-rates": "50",
  history: "3000",
  "history-rate": "50",
  tracing: "off,1",
  "tracing-clients": "100",
  "tracing-rate": "30",
  "tracing-broadcast": "2000",
};
type Flag = keyof typeof FULL;

const { values } = parseArgs({
  options: {
    ...(Object.fromEntries(Object.keys(FULL).map((flag) => [flag, { type: "string" }])) as Record<
      Flag,
      { type: "string" }
    >),
    quick: { type: "boolean", default: false },
    "shared-servers": { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    env: { type: "string", multiple: true, default: [] },
    out: { type: "string", default: ".test-results/load-bench" },
  },
});
const defaults = values.quick ? QUICK : FULL;
const text = (flag: Flag) => (values[flag] as string | undefined) ?? defaults[flag];
// An empty list ("--rates ''") skips those steps.
const list = (flag: Flag) => (text(flag) === "" ? [] : text(flag).split(","));
const numbers = (flag: Flag) => {
  const parsed = list(flag).map(Number);
  if (parsed.some((value) => !Number.isFinite(value) || value <= 0))
    throw new Error(`--${flag} takes positive numbers, got ${text(flag)}`);
  return parsed;
};
const positive = (flag: Flag) => {
  const value = Number(text(flag));
  if (!(value > 0)) throw new Error(`--${flag} takes a positive number`);
  return value;
};
const whole = (flag: Flag) => {
  const value = Number(text(flag));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${flag} takes a whole number ≥ 1`);
  return value;
};
const oneOf = <T extends string>(flag: Flag, allowed: readonly T[]) => {
  const chosen = list(flag);
  const wrong = chosen.filter((item) => !allowed.includes(item as T));
  if (wrong.length > 0)
    throw new Error(`--${flag}: ${wrong.join(",")} is not one of ${allowed.join(",")}`);
  return chosen as T[];
};
const mix = (() => {
  const parts = numbers("mix");
  const total = parts.reduce((sum, part) => sum + part, 0);
  if (parts.length !== 3 || total <= 0)
    throw new Error("--mix takes create,update,delete shares, e.g. 60,30,10");
  const [create, update, remove] = parts.map((part) => part / total) as [number, number, number];
  return { create, update, delete: remove };
})();
const activeShare = Number(text("active-share"));
if (!(activeShare >= 0 && activeShare <= 1))
  throw new Error("--active-share takes a number from 0 to 1");
const DBS: readonly StandaloneDb[] = ["pg", "pglite"];
// "off", or the share of traces sampled (0 < share ≤ 1).
const tracingModes = list("tracing").map((mode): TracingMode => {
  if (mode === "off") return mode;
  const share = Number(mode);
  if (!(share > 0 && share <= 1))
    throw new Error(`--tracing takes off or sampled shares in (0, 1], got ${mode}`);
  return share;
});

const started = Date.now();
const log = (line: string) =>
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
const abort = new AbortController();
process.once("SIGINT", () => {
  log("stopping after this step (Ctrl-C again to quit at once)…");
  abort.abort();
  process.once("SIGINT", () => process.exit(130));
});

const report = await runLoadBench({
  steps: oneOf<StepName>("steps", STEP_NAMES),
  clients: numbers("clients"),
  rates: numbers("rates"),
  mix,
  activeShare,
  broadcastDeliveries: numbers("broadcast"),
  seconds: positive("seconds"),
  workers: whole("workers"),
  concurrency: whole("concurrency"),
  records: whole("records"),
  evaluators: whole("evaluators"),
  gateways: whole("gateways"),
  storm: {
    clients: whole("storm"),
    concurrency: whole("storm-concurrency"),
    settleMs: values.quick ? 500 : 2_000,
  },
  kill: {
    clients: whole("kill-clients"),
    onKilled: whole("kill-on-killed"),
    rate: positive("kill-rate"),
    seconds: positive("kill-seconds"),
    after: positive("kill-after"),
  },
  standalone: {
    dbs: oneOf("standalone", DBS),
    clients: whole("standalone-clients"),
    rates: numbers("standalone-rates"),
  },
  history: {
    events: whole("history"),
    short: whole("history-short"),
    rate: positive("history-rate"),
    dbs: oneOf("history-db", DBS),
  },
  tracing: {
    modes: tracingModes,
    clients: whole("tracing-clients"),
    rate: positive("tracing-rate"),
    broadcast: positive("tracing-broadcast"),
  },
  ownServers: !values["shared-servers"],
  cpuProfileDir: values["cpu-prof"],
  env: Object.fromEntries(
    values.env.map((pair) => {
      const at = pair.indexOf("=");
      if (at < 1) throw new Error(`--env takes NAME=VALUE, got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  ),
  command: [
    "npm run bench",
    ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : []),
  ].join(" "),
  log,
  signal: abort.signal,
});
const paths = await saveReport(report, values.out);
process.stderr.write(`\n${summaryTable(report)}\n\nreport: ${paths.json}\nchart: ${paths.svg}\n`);
console.log(JSON.stringify(report, null, 2));
process.exit(report.steps.some(faulty) ? 1 : 0);
