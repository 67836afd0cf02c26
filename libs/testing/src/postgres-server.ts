import { execFile } from "node:child_process";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./local-servers.ts";

const run = promisify(execFile);

/** A PostgreSQL server of a test's own, for tests that stop it (the shared one must stay up). */
export interface PostgresServerProcess extends AsyncDisposable {
  /** URL of its `postgres` database (user postgres, trust auth). */
  readonly url: string;
  readonly port: number;
  /** Stops the server at once (immediate mode: clients are cut off). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
}

/** The directory of PostgreSQL's server programs (Debian: /usr/lib/postgresql/<version>/bin). */
export async function postgresBinaries(): Promise<string> {
  const { stdout } = await run("pg_config", ["--bindir"]);
  return stdout.trim();
}

/**
 * Starts a throwaway PostgreSQL cluster (initdb in a temp dir, trust auth, own port). PostgreSQL
 * refuses to run as root, so when the tests run as root it runs as the `postgres` system user.
 */
export async function startPostgresServer(): Promise<PostgresServerProcess> {
  const bin = await postgresBinaries();
  const dir = await mkdtemp(join(tmpdir(), "tidings-pg-"));
  const data = join(dir, "data");
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (program: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(bin, program), ...args])
      : run(join(bin, program), args);
  await as("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = async () => {
    await as("pg_ctl", ["-D", data, "-o", options, "-w", "-l", join(dir, "log"), "start"]);
  };
  const stop = async () => {
    await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
