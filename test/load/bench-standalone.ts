import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomSecret } from "@tidings/local-cluster";
import { freePort, SOURCE_EXEC_ARGV, withPostgres } from "@tidings/testing";
import { hookEnv, postgresWatched } from "./bench-cluster.ts";
import { createCollections, createUsers, SUPERUSER } from "./bench-users.ts";
import type { MemoryProbe } from "./memory-probe.ts";
import type { WatchedProcess } from "./process-sampler.ts";
import type { BenchUser } from "./workload.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ENTRY = "apps/standalone/src/main.ts";

/** Which storage the single node runs on. */
export type StandaloneDb = "pg" | "pglite";

export interface BenchStandaloneOptions {
  db: StandaloneDb;
  users: number;
  /** More variables for the process (after the bench's own). */
  env: Record<string, string>;
  cpuProfileDir?: string | undefined;
  memory?: MemoryProbe | undefined;
  log: (line: string) => void;
}

/** A running single node (`npm start`) with the bench's collections and users. */
export interface BenchStandalone extends AsyncDisposable {
  name: string;
  url: string;
  users: BenchUser[];
  /** A token of TIDINGS_SERVICE_TOKENS, for the internal publish API. */
  serviceToken: string;
  pid: number;
  /** The process, and its database's share of PostgreSQL: its CPU per write. */
  watched(): WatchedProcess[];
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the single node exited (${child.exitCode ?? child.signalCode})`);
    const ok = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the single node was not ready in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Starts `npm start`'s process (`node --conditions=@tidings/source --import tsx apps/standalone/src/main.ts`, so a signal
 * reaches the server itself and its CPU can be read) on PostgreSQL (a database of its own) or on
 * PGlite (a temporary data dir), with its collections and users created through REST.
 */
export async function startBenchStandalone(
  options: BenchStandaloneOptions,
): Promise<BenchStandalone> {
  const pg = options.db === "pg" ? await withPostgres() : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), "tidings-load-node-"));
  const jwtSecret = randomSecret();
  const serviceToken = randomBytes(24).toString("base64url");
  const name = `single node (${options.db === "pg" ? "PostgreSQL" : "PGlite"})`;
  let child: ChildProcess | undefined;
  const dispose = async () => {
    const running = child;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((resolve) => running.once("exit", resolve));
      running.kill("SIGTERM");
      const timer = setTimeout(() => running.kill("SIGKILL"), 40_000);
      await exited;
      clearTimeout(timer);
    }
    await pg?.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    // Only the bench's settings: a TIDINGS_NATS_URL of the caller would turn it into a cluster node.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("TIDINGS_")),
    );
    const spawned = spawn(process.execPath, [...SOURCE_EXEC_ARGV, ENTRY], {
      cwd: ROOT,
      env: {
        ...inherited,
        TIDINGS_HOST: "127.0.0.1",
        TIDINGS_PORT: String(port),
        TIDINGS_GRPC_PORT: String(await freePort()),
        TIDINGS_DATA_DIR: dataDir,
        ...(pg ? { TIDINGS_DATABASE_URL: pg.url } : {}),
        TIDINGS_JWT_SECRET: jwtSecret,
        TIDINGS_SERVICE_TOKENS: serviceToken,
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
        TIDINGS_LOG_LEVEL: "warn",
        ...options.env,
        ...hookEnv(options.cpuProfileDir, options.memory, options.env.NODE_OPTIONS),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = spawned;
    for (const stream of [spawned.stdout, spawned.stderr]) {
      let rest = "";
      stream?.on("data", (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines)
          if (line.includes('"level":50') || line.includes('"level":60'))
            options.log(`${name} ${line.slice(0, 400)}`);
      });
    }
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, spawned);
    await createCollections(url);
    const users = await createUsers(url, options.users);
    options.log(`${name} up: ${users.length} users`);
    return {
      name,
      url,
      users,
      serviceToken,
      pid: spawned.pid as number,
      watched: () => [
        { name, role: "system", pids: [spawned.pid as number] },
        ...(pg ? postgresWatched(pg.name) : []),
      ],
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
