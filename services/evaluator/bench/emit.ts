/**
 * Emit benchmark: the Socket.IO Redis adapter and emitter pairings considered for delivering the
 * evaluator's room emits to G gateway nodes, measured in one run against the classic pairing.
 * Each pairing gets G forked gateway nodes holding disjoint rooms, Socket.IO clients in those
 * rooms (in this process), and a forked emitter sending messages to random rooms as fast as it
 * can with a bounded pipeline. Prints a table, then the JSON (or only the JSON with --json).
 *
 *   npx tsx --conditions=@tidings/source services/evaluator/bench/emit.ts [--messages N] [--nodes G] [--rooms R] [--pairings a,b]
 */
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { killChildrenOnExit } from "./child-processes.ts";
import { summarize, table } from "./emit-report.ts";
import { isPairingName, type PairingName } from "./pairings.ts";
import { type BenchOptions, type PairingResult, runPairing } from "./run-pairing.ts";

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "50000" },
    warmup: { type: "string", default: "5000" },
    nodes: { type: "string", default: "4" },
    rooms: { type: "string", default: "250" },
    "clients-per-node": { type: "string", default: "2" },
    batch: { type: "string", default: "100" },
    inflight: { type: "string", default: "4" },
    "payload-bytes": { type: "string", default: "500" },
    pairings: { type: "string", default: "classic,sharded-dynamic,sharded-static" },
    redis: { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
    json: { type: "boolean", default: false },
  },
});

const pairings = (args.pairings as string).split(",").map((name) => name.trim());
const unknown = pairings.filter((name) => !isPairingName(name));
if (unknown.length > 0) {
  console.error(`unknown pairing(s): ${unknown.join(", ")}`);
  process.exit(2);
}

const options: BenchOptions = {
  redisUrl: args.redis as string,
  prefix: `tidings-bench-emit-${process.pid}-${Date.now().toString(36)}`,
  nodes: Number(args.nodes),
  // Few clients, each in many rooms: the figures are about the broker path, not socket count.
  roomsPerNode: Number(args.rooms),
  clientsPerNode: Number(args["clients-per-node"]),
  messages: Number(args.messages),
  warmup: Number(args.warmup),
  batch: Number(args.batch),
  inflight: Number(args.inflight),
  payloadBytes: Number(args["payload-bytes"]),
  seed: 42,
};

killChildrenOnExit();
const loadBefore = loadavg();
const results: PairingResult[] = [];
for (const pairing of pairings as PairingName[]) {
  if (!args.json) console.error(`${pairing}: running…`);
  results.push(await runPairing(pairing, options));
}
const summaries = summarize(results);
const report = {
  machine: {
    node: process.version,
    cpus: availableParallelism(),
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
  },
  options,
  pairings: summaries,
};
if (!args.json) {
  console.log(table(summaries));
  console.log();
}
console.log(JSON.stringify(report, null, 2));
process.exit(summaries.some((summary) => summary.delivered.lost > 0) ? 1 : 0);
