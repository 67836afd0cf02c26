import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, terminate } from "./local-servers.ts";
import { TEST_POSTGRES_ADMIN_URL } from "./postgres.ts";

const run = promisify(execFile);

/** A PgBouncer process of a test's own, in transaction mode, in front of the test PostgreSQL. */
export interface PgBouncerProcess extends AsyncDisposable {
  readonly port: number;
  /** Its version (`pgbouncer --version`), e.g. [1, 18, 0]. */
  readonly version: [number, number, number];
  /** `databaseUrl` (a database on the test PostgreSQL) as reached through the pooler. */
  pooled(databaseUrl: string): string;
  /** Stops it (SIGTERM to its PID) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startPgBouncer}. */
export interface PgBouncerOptions {
  /** Roles that may log in through it (trust auth, as the server's loopback). @default ["postgres"] */
  users?: string[];
  /** Server connections per database and user. @default 10 */
  poolSize?: number;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`pgbouncer exited with ${child.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port}: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts `pgbouncer` (Debian's package) in transaction mode on a free port, every database of the
 * test PostgreSQL behind it. It refuses to run as root, so as root it runs as `postgres`.
 */
export async function startPgBouncer(options: PgBouncerOptions = {}): Promise<PgBouncerProcess> {
  const { stdout } = await run("pgbouncer", ["--version"]);
  const [major = 0, minor = 0, patch = 0] = (/PgBouncer (\d+)\.(\d+)\.(\d+)/.exec(stdout) ?? [])
    .slice(1)
    .map(Number);
  const server = new URL(TEST_POSTGRES_ADMIN_URL);
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "tidings-pgbouncer-"));
  const users = options.users ?? ["postgres"];
  await writeFile(join(dir, "userlist.txt"), users.map((user) => `"${user}" ""\n`).join(""));
  await writeFile(
    join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${server.hostname} port=${server.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${options.poolSize ?? 10}`,
      "max_client_conn = 500",
      "ignore_startup_parameters = extra_float_digits,options",
      "",
    ].join("\n"),
  );
  // Readable by the postgres user it may run as.
  await chmod(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const child = spawn(
    "pgbouncer",
    [...(asRoot ? ["-u", "postgres"] : []), join(dir, "pgbouncer.ini")],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-2_000);
  });
  const stop = () => terminate(child);
  const dispose = async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const failed = new Promise<never>((_, reject) => child.once("error", reject));
    await Promise.race([waitForPort(port, child, () => log), failed]);
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    port,
    version: [major, minor, patch],
    pooled(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    stop,
    [Symbol.asyncDispose]: dispose,
  };
}
