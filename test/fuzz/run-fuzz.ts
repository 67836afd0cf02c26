// `npm run fuzz`: the long fuzz run. Sends `--runs` hostile inputs (NUL, lone surrogates, JSON
// nested past the depth limit) into every target — the records service's routes and gRPC API on
// PostgreSQL and on PGlite, a gateway's messages and compatibility routes — and prints how many
// each took. Flags: --runs N (per target) --seed N --only records|gateway
import { parseArgs } from "node:util";
import { type FuzzEnvironment, fuzzTargets } from "./fuzz-run.ts";
import { openGatewayFuzz } from "./gateway-fuzz.ts";
import { openRecordsFuzz } from "./records-fuzz.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "200" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
    only: { type: "string" },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const servers: [string, "records" | "gateway", () => Promise<FuzzEnvironment>][] = [
  ["records on PostgreSQL", "records", () => openRecordsFuzz("postgres")],
  ["records on PGlite", "records", () => openRecordsFuzz("pglite")],
  ["gateway", "gateway", openGatewayFuzz],
];

console.log(`${runs} inputs per target, seed ${seed}`);
let total = 0;
let failed = false;
for (const [name, kind, open] of servers) {
  if (values.only && values.only !== kind) continue;
  const started = Date.now();
  const environment = await open();
  try {
    const counts = await fuzzTargets(environment, { runs, seed });
    const inputs = [...counts.values()].reduce((sum, count) => sum + count, 0);
    total += inputs;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `\n${name}: ${inputs} inputs into ${counts.size} targets, all refused (${seconds} s)`,
    );
    for (const [target, count] of counts) console.log(`  ${String(count).padStart(7)}  ${target}`);
  } catch (error) {
    failed = true;
    console.log(`\n${name}: FAILED\n${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await environment.close();
  }
}
console.log(
  `\n${total} inputs in total${failed ? "; a target let one through (above)" : ", none got through"}`,
);
process.exit(failed ? 1 : 0);
