// `npm run bench`: the load benchmark. A cluster of processes (records, evaluators, gateways) on
// the machine's PostgreSQL, NATS and Redis, client worker processes holding thousands of
// Socket.IO connections, and a writer creating records through REST at a steady rate; the
// per-user feed and the broadcast feed are measured for each client count and rate, the broadcast
// one against a plain Socket.IO server in the same run. Prints a summary (stderr) and the JSON
// report (stdout), and writes report.json and chart.svg under --out.
//
//   npm run bench -- --clients 1000,5000,10000 --rates 50,200,1000 \
//     --broadcast 20000,100000 --seconds 5 --workers 4 [--quick] [--out DIR] \
//     [--records 2 --evaluators 2 --gateways 2] [--env NAME=VALUE …] [--cpu-prof DIR]
//
// --rates are the per-user feed's writes/s. --broadcast are deliveries/s offered to the broadcast
// feed and to the baseline: writes/s = that / clients, so every client count gets the same work.
// --env passes a variable to every service; --cpu-prof writes a CPU profile of each service.
import { parseArgs } from "node:util";
import { runLoadBench } from "./load-bench.ts";
import { summaryTable } from "./report.ts";
import { saveReport } from "./save-report.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string" },
    rates: { type: "string" },
    broadcast: { type: "string" },
    seconds: { type: "string" },
    workers: { type: "string" },
    records: { type: "string", default: "2" },
    evaluators: { type: "string", default: "2" },
    gateways: { type: "string", default: "2" },
    "active-share": { type: "string", default: "0.5" },
    quick: { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    env: { type: "string", multiple: true, default: [] },
    out: { type: "string", default: ".test-results/load-bench" },
  },
});
// --quick: a smoke run of the whole path in well under a minute.
const defaults = values.quick
  ? { clients: "200,500", rates: "50,200", broadcast: "10000", seconds: "3", workers: "2" }
  : {
      clients: "1000,5000,10000",
      rates: "50,200,1000",
      broadcast: "20000,100000",
      seconds: "5",
      workers: "4",
    };
// An empty list ("--broadcast ''") skips those steps.
const numbers = (flag: keyof typeof defaults) => {
  const text = values[flag] ?? defaults[flag];
  const list = text === "" ? [] : text.split(",").map(Number);
  if (list.some((value) => !Number.isFinite(value) || value <= 0))
    throw new Error(`--${flag} takes positive numbers, got ${values[flag]}`);
  return list;
};
const positive = (text: string, name: string) => {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`--${name} takes a positive number`);
  return value;
};
const whole = (text: string, name: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number ≥ 1`);
  return value;
};

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
  clients: numbers("clients"),
  rates: numbers("rates"),
  broadcastDeliveries: numbers("broadcast"),
  seconds: positive(values.seconds ?? defaults.seconds, "seconds"),
  workers: whole(values.workers ?? defaults.workers, "workers"),
  records: whole(values.records, "records"),
  evaluators: whole(values.evaluators, "evaluators"),
  gateways: whole(values.gateways, "gateways"),
  activeShare: Number(values["active-share"]),
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
const wrong = report.steps.some((step) => step.missing + step.duplicate + step.leaked > 0);
process.exit(wrong ? 1 : 0);
