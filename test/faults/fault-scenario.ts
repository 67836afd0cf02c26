import { type LocalCluster, randomSecret, startLocalCluster } from "@tidings/local-cluster";
import { startNatsServer, startPostgresServer, startRedisServer } from "@tidings/testing";
import { createCollection, signIn } from "../support/rest.ts";
import {
  checkInvariants,
  DOCS_COLLECTION,
  expectedCount,
  listedIds,
  receivedCount,
  runWrites,
  shownIds,
  type Watcher,
  type WorkloadUser,
  Writer,
  watch,
} from "../support/workload.ts";

/** The failures a scenario can inject while writes and deliveries go on. */
export const FAULTS = ["gateway", "evaluator", "records", "nats", "redis", "postgres"] as const;
export type Fault = (typeof FAULTS)[number];

/** How big a scenario is. */
export interface ScenarioOptions {
  faults: readonly Fault[];
  /** Times the whole list of faults is injected. */
  cycles: number;
  records: number;
  rounds: number;
  users: number;
  seed: number;
  log: (line: string) => void;
}

/** What a scenario found. */
export interface ScenarioResult {
  problems: string[];
  writes: number;
  deliveries: number;
  uncertainWrites: number;
  seconds: number;
}

const SUPERUSER = { email: "faults@example.com", password: "fault-scenario-password" };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Injects one fault and repairs it, while the workload runs.
async function inject(
  fault: Fault,
  cluster: LocalCluster,
  servers: {
    nats: { stop(): Promise<void>; start(): Promise<void> };
    redis: { stop(): Promise<void>; start(): Promise<void> };
    postgres: { stop(): Promise<void>; start(): Promise<void> };
  },
  log: (line: string) => void,
) {
  log(`fault: ${fault}`);
  if (fault === "gateway" || fault === "evaluator" || fault === "records") {
    const name = `${fault}-1`;
    await cluster.kill(name);
    await pause(1_000);
    await cluster.restart(name);
    return;
  }
  const server = servers[fault];
  await server.stop();
  await pause(1_500);
  await server.start();
}

/**
 * Starts a cluster of processes (records ×2, evaluator ×2, gateway ×2) on NATS, Redis and
 * PostgreSQL servers of its own, runs writes and subscribers through the entry proxy, injects the
 * faults, and checks the end-to-end invariants afterwards.
 */
export async function runFaultScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  await using nats = await startNatsServer();
  await using redis = await startRedisServer();
  await using postgres = await startPostgresServer();
  const databaseUrl = postgres.url.replace(/\/postgres$/, "/tidings");
  const cluster = await startLocalCluster({
    records: 2,
    evaluators: 2,
    gateways: 2,
    entryPort: 0,
    basePort: 0,
    databaseUrl,
    natsUrl: nats.url,
    redisUrl: redis.url,
    jwtSecret: randomSecret(),
    env: {
      TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
      TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
      TIDINGS_EVALUATOR_ACK_WAIT: "2",
      TIDINGS_AUTH_RATE_LIMIT: "100000",
      TIDINGS_LOG_LEVEL: "error",
    },
    output: (line) => {
      if (line.includes('"level":50') || line.includes('"level":60'))
        options.log(line.slice(0, 300));
    },
  });
  options.log(`cluster up at ${cluster.entryUrl}`);
  const watchers: Watcher[] = [];
  try {
    const entry = cluster.entryUrl;
    // Separate processes: the superuser and the users sign in through the entry, as clients do.
    const superuser = await signIn(entry, "/api/auth/login", SUPERUSER);
    await createCollection(entry, superuser.token, DOCS_COLLECTION);
    const users: WorkloadUser[] = [];
    for (let i = 0; i < options.users; i += 1) {
      users.push(
        await signIn(entry, "/api/auth/register", {
          email: `user${i}@example.com`,
          password: "workload-password",
        }),
      );
    }
    options.log(`${users.length} users registered`);
    watchers.push(await watch(entry, { userId: null, filtered: false }, undefined));
    for (const user of users)
      watchers.push(
        await watch(entry, { userId: user.id, filtered: watchers.length % 2 === 0 }, user.token),
      );
    options.log(`${watchers.length} watchers subscribed`);
    const writer = new Writer(
      { rest: () => entry, realtime: () => entry },
      superuser,
      options.seed,
    );
    const writing = runWrites(writer, users, options.records, options.rounds, 4, "doc");
    const servers = { nats, redis, postgres };
    for (let cycle = 0; cycle < options.cycles; cycle += 1) {
      for (const fault of options.faults) {
        await pause(500);
        await inject(fault, cluster, servers, options.log);
      }
    }
    await writing;
    const expected = expectedCount(watchers, writer.writes);
    options.log(
      `writes done: ${[...writer.writes.values()].flat().length} committed, ${writer.uncertain} uncertain at first; ${expected} deliveries expected`,
    );
    const deadline = Date.now() + 60_000;
    while (receivedCount(watchers) < expected && Date.now() < deadline) await pause(200);
    await pause(1_000);
    const problems = checkInvariants(watchers, writer.writes);
    for (const watcher of watchers) {
      const token = users.find((user) => user.id === watcher.viewer.userId)?.token;
      const shown = shownIds(watcher).join(",");
      const listed = (await listedIds(entry, watcher, token)).join(",");
      if (shown !== listed)
        problems.push(
          `watcher of ${watcher.viewer.userId ?? "anonymous"} shows [${shown}] but lists [${listed}]`,
        );
    }
    return {
      problems,
      writes: [...writer.writes.values()].flat().length,
      deliveries: receivedCount(watchers),
      uncertainWrites: writer.uncertain,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    for (const watcher of watchers) watcher.client.close();
    await cluster.stop();
  }
}
