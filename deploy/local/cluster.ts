// `npm run cluster`: records ×2, evaluator ×2 and gateway ×2 as separate processes on this machine,
// against the local PostgreSQL, NATS and Redis, behind one entry port with sticky sessions.
// Ctrl-C stops them all (gracefully). Counts, ports and services come from flags or the environment:
//   npm run cluster -- --records 2 --evaluators 2 --gateways 2 --port 8080 --base-port 8100
// With --built, the services run from their compiled dist/main.js (run `npm run build` first).
import { join } from "node:path";
import { parseArgs } from "node:util";
import { resolveJwtSecret } from "@tidings/auth";
import { startLocalCluster, unreadVariables } from "./local-cluster.ts";

const { values } = parseArgs({
  options: {
    records: { type: "string" },
    evaluators: { type: "string" },
    gateways: { type: "string" },
    port: { type: "string" },
    "base-port": { type: "string" },
    built: { type: "boolean", default: false },
  },
});
const env = process.env;
const count = (flag: string | undefined, variable: string | undefined, fallback: number) => {
  const value = Number(flag ?? variable ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 16)
    throw new Error(`counts are whole numbers from 1 to 16, got ${flag ?? variable}`);
  return value;
};
const port = (flag: string | undefined, variable: string | undefined, fallback: number) => {
  const value = Number(flag ?? variable ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65_000)
    throw new Error(`ports are whole numbers from 1 to 65000, got ${flag ?? variable}`);
  return value;
};

const entryPort = port(values.port, env.TIDINGS_CLUSTER_PORT, 8080);
// Everything this cluster names on the shared servers carries its entry port, so two clusters (or
// a cluster and a test run) on the same PostgreSQL, NATS and Redis never meet; the JWT secret is
// generated once per cluster and kept, so tokens stay valid across restarts of the same cluster.
const ownName = `tidings_cluster_${entryPort}`;
// What the cluster wires itself (each to the services that read it) is not passed on as is.
const WIRED = new Set([
  "TIDINGS_DATABASE_URL",
  "TIDINGS_NATS_URL",
  "TIDINGS_REDIS_URL",
  "TIDINGS_REDIS_PREFIX",
  "TIDINGS_JWT_SECRET",
]);
const passed = Object.fromEntries(
  Object.entries(env).filter(
    ([name, value]) =>
      name.startsWith("TIDINGS_") &&
      !name.startsWith("TIDINGS_CLUSTER_") &&
      !WIRED.has(name) &&
      value !== undefined,
  ),
) as Record<string, string>;
for (const name of unreadVariables(passed))
  console.warn(`warning: no service reads ${name}; it is not passed on`);
const options = {
  records: count(values.records, env.TIDINGS_CLUSTER_RECORDS, 2),
  evaluators: count(values.evaluators, env.TIDINGS_CLUSTER_EVALUATORS, 2),
  gateways: count(values.gateways, env.TIDINGS_CLUSTER_GATEWAYS, 2),
  entryPort,
  basePort: port(values["base-port"], env.TIDINGS_CLUSTER_BASE_PORT, 8100),
  databaseUrl: env.TIDINGS_DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/${ownName}`,
  natsUrl: env.TIDINGS_NATS_URL ?? "nats://127.0.0.1:4222",
  redisUrl: env.TIDINGS_REDIS_URL ?? "redis://127.0.0.1:6379",
  jwtSecret: await resolveJwtSecret(env.TIDINGS_JWT_SECRET, join(".tidings", ownName)),
  redisPrefix: env.TIDINGS_REDIS_PREFIX ?? ownName,
  env: { TIDINGS_NATS_PREFIX: ownName, ...passed },
  output: (line: string) => console.log(line),
  built: values.built,
};

console.log(
  `starting ${options.records} records, ${options.evaluators} evaluators, ${options.gateways} gateways…`,
);
const cluster = await startLocalCluster(options);
console.log("");
console.log(`  entry        ${cluster.entryUrl}  (REST and realtime, sticky sessions)`);
for (const service of cluster.services)
  console.log(`  ${service.name.padEnd(12)} http://127.0.0.1:${service.port}`);
console.log(`  database     ${options.databaseUrl}`);
console.log(`  nats         ${options.natsUrl} (prefix ${options.env.TIDINGS_NATS_PREFIX})`);
console.log(`  redis        ${options.redisUrl} (prefix ${options.redisPrefix})`);
console.log("\n  Ctrl-C stops everything.\n");

let stopping = false;
const stop = async () => {
  if (stopping) process.exit(1);
  stopping = true;
  console.log("stopping…");
  await cluster.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
