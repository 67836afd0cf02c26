// `npm run faults`: the long fault run. A cluster of processes on NATS, Redis and PostgreSQL of its
// own; writes and subscribers go on while every fault is injected, several times over; then the
// end-to-end invariants are checked. Flags: --cycles N --records N --rounds N --users N --seed N
// --faults gateway,evaluator,records,nats,redis,postgres
import { parseArgs } from "node:util";
import { FAULTS, type Fault, runFaultScenario } from "./fault-scenario.ts";

const { values } = parseArgs({
  options: {
    cycles: { type: "string", default: "3" },
    records: { type: "string", default: "60" },
    rounds: { type: "string", default: "12" },
    users: { type: "string", default: "5" },
    seed: { type: "string", default: String(Date.now() % 100_000) },
    faults: { type: "string", default: FAULTS.join(",") },
  },
});
const faults = values.faults.split(",").map((name) => {
  if (!(FAULTS as readonly string[]).includes(name))
    throw new Error(`unknown fault ${name}; known: ${FAULTS.join(", ")}`);
  return name as Fault;
});
const started = Date.now();
const log = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);
log(
  `faults ${faults.join(", ")} × ${values.cycles}; ${values.records} records × ${values.rounds} writes; seed ${values.seed}`,
);
const result = await runFaultScenario({
  faults,
  cycles: Number(values.cycles),
  records: Number(values.records),
  rounds: Number(values.rounds),
  users: Number(values.users),
  seed: Number(values.seed),
  log,
});
console.log(JSON.stringify({ ...result, problems: result.problems.length }, null, 2));
for (const problem of result.problems.slice(0, 30)) console.log(`  ${problem}`);
process.exit(result.problems.length === 0 ? 0 : 1);
