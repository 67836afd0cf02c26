import { randomBytes } from "node:crypto";
import { freePort } from "@tidings/testing";
import pg from "pg";
import { type EntryProxy, startEntryProxy, type Upstream } from "./entry-proxy.ts";
import {
  isListening,
  type SERVICE_DIRS,
  type ServiceProcess,
  startService,
  stopService,
  waitForPort,
} from "./processes.ts";
import { variablesFor } from "./service-variables.ts";

export { type EntryProxy, type EntryRoutes, startEntryProxy } from "./entry-proxy.ts";
export { entryArgs } from "./processes.ts";
export { SERVICE_VARIABLES, unreadVariables, variablesFor } from "./service-variables.ts";

/** The shape of a local cluster. */
export interface LocalClusterOptions {
  records: number;
  evaluators: number;
  gateways: number;
  /** The entry port (sticky proxy in front of everything); 0 picks a free one. */
  entryPort: number;
  /** Services take consecutive ports from here; 0 gives each a free port instead. */
  basePort: number;
  databaseUrl: string;
  natsUrl: string;
  redisUrl: string;
  /** Prefix of the Redis channels and keys, given to the services that use Redis only. */
  redisPrefix?: string;
  jwtSecret: string;
  /** Variables besides the wiring (prefixes, limits, superuser…); each service gets those it reads. */
  env: Record<string, string>;
  /** Variables of one process (by name, e.g. "gateway-2"), on top of the others: ports of its own. */
  processEnv?: (name: string) => Promise<Record<string, string>> | Record<string, string>;
  output: (line: string) => void;
  /** Run the services' compiled `dist/main.js` (after `npm run build`) instead of their source. */
  built?: boolean;
}

/** A running local cluster. */
export interface LocalCluster {
  readonly entryUrl: string;
  readonly services: ServiceProcess[];
  /** The service named `name` (e.g. "gateway-2"). */
  service(name: string): ServiceProcess;
  /** Kills a service at once (SIGKILL), as a crash would. */
  kill(name: string): Promise<void>;
  /** Starts a killed or stopped service again, on its port. */
  restart(name: string): Promise<void>;
  /** Stops everything: proxy, then gateways (they drain), evaluators, records. */
  stop(): Promise<void>;
}

/** Creates the database if it does not exist yet (migrations run when records start). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * Starts records, evaluator and gateway processes against shared PostgreSQL, NATS and Redis, and
 * the entry proxy. Records start first (they apply the migrations), then the others.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  await ensureDatabase(options.databaseUrl);
  const shared = {
    TIDINGS_HOST: "127.0.0.1",
    TIDINGS_DATABASE_URL: options.databaseUrl,
    TIDINGS_NATS_URL: options.natsUrl,
  };
  const redis = {
    TIDINGS_REDIS_URL: options.redisUrl,
    ...(options.redisPrefix ? { TIDINGS_REDIS_PREFIX: options.redisPrefix } : {}),
  };
  // Each service gets the connections it uses and the variables it reads, and no others (a
  // service warns about variables it does not know).
  const wiring = {
    records: {
      ...variablesFor("records", options.env),
      ...shared,
      TIDINGS_JWT_SECRET: options.jwtSecret,
    },
    evaluator: { ...variablesFor("evaluator", options.env), ...shared, ...redis },
    gateway: {
      ...variablesFor("gateway", options.env),
      ...shared,
      ...redis,
      TIDINGS_JWT_SECRET: options.jwtSecret,
    },
  };
  const plan: {
    name: string;
    entry: keyof typeof SERVICE_DIRS;
    port: number;
    env: Record<string, string>;
  }[] = [];
  let next = options.basePort;
  const port = async () => (options.basePort === 0 ? freePort() : next++);
  for (let i = 1; i <= options.records; i += 1) {
    const http = await port();
    const grpc = await port();
    plan.push({
      name: `records-${i}`,
      entry: "records",
      port: http,
      env: { ...wiring.records, TIDINGS_GRPC_PORT: String(grpc) },
    });
  }
  for (let i = 1; i <= options.evaluators; i += 1) {
    plan.push({
      name: `evaluator-${i}`,
      entry: "evaluator",
      port: await port(),
      env: { ...wiring.evaluator },
    });
  }
  for (let i = 1; i <= options.gateways; i += 1) {
    plan.push({
      name: `gateway-${i}`,
      entry: "gateway",
      port: await port(),
      env: { ...wiring.gateway },
    });
  }

  const services = new Map<string, ServiceProcess>();
  for (const step of plan) Object.assign(step.env, await options.processEnv?.(step.name));
  const launch = async (step: (typeof plan)[number]) => {
    const service = startService(
      step.name,
      step.entry,
      step.port,
      step.env,
      options.output,
      options.built,
    );
    services.set(step.name, service);
    await waitForPort(step.port);
  };
  const records = plan.filter((step) => step.entry === "records");
  await launch(records[0] as (typeof plan)[number]);
  await Promise.all(plan.filter((step) => step !== records[0]).map(launch));
  const upstream = (entry: string): Upstream[] =>
    plan
      .filter((step) => step.entry === entry)
      .map((step) => ({ host: "127.0.0.1", port: step.port }));
  const entryPort = options.entryPort === 0 ? await freePort() : options.entryPort;
  const proxy: EntryProxy = await startEntryProxy(
    { gateways: upstream("gateway"), records: upstream("records") },
    entryPort,
  );

  const byName = (name: string) => {
    const service = services.get(name);
    if (!service) throw new Error(`no service ${name}`);
    return service;
  };
  return {
    entryUrl: `http://127.0.0.1:${entryPort}`,
    get services() {
      return [...services.values()];
    },
    service: byName,
    async kill(name) {
      const service = byName(name);
      service.child.kill("SIGKILL");
      await service.exited;
      // A port still open means the signal reached a wrapper, not the service: no crash happened.
      if (await isListening(service.port))
        throw new Error(`${name} still listens on ${service.port} after SIGKILL`);
    },
    async restart(name) {
      const step = plan.find((candidate) => candidate.name === name);
      if (!step) throw new Error(`no service ${name}`);
      await launch(step);
    },
    async stop() {
      await proxy.close();
      for (const kind of ["gateway", "evaluator", "records"] as const) {
        await Promise.all(
          plan.filter((step) => step.entry === kind).map((step) => stopService(byName(step.name))),
        );
      }
    },
  };
}

/** A secret for a cluster run (tokens do not outlive it). */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}
