import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, isRunning } from "./local-servers.ts";
import type { TlsFiles } from "./tls-files.ts";

/** Redis server the integration tests use. @default redis://127.0.0.1:6379 */
export const TEST_REDIS_URL = process.env.TIDINGS_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key and channel prefix of its own on the shared Redis, for one test. */
export interface TestRedis {
  readonly url: string;
  /** Unique prefix (`t_<hex>`) for keys and pub/sub channels. */
  readonly prefix: string;
}

/** Gives a test its own prefix on the shared Redis; fails at once when Redis is unreachable. */
export async function withRedis(url = TEST_REDIS_URL): Promise<TestRedis> {
  const { hostname, port } = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) }, () => {
      socket.end();
      resolve();
    });
    socket.once("error", (error) =>
      reject(new Error(`no Redis at ${url} (set TIDINGS_TEST_REDIS_URL)`, { cause: error })),
    );
  });
  return { url, prefix: `t_${randomBytes(6).toString("hex")}` };
}

/** A Redis server process of a test's own, for tests that stop and restart it. */
export interface RedisServerProcess extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGKILL: no persistence anyway) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** Waits until `port` accepts connections; throws if `child` exits first. */
export async function waitForPort(
  port: number,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on ${port} did not start in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** @default "redis-server" */
  binary?: string;
  /** `requirepass`: clients must AUTH with it (the default user's password). */
  password?: string;
  /** TLS only (no plain port): `port` is the TLS port and `url` is `rediss://`. */
  tls?: {
    /** CA, server and client certificates (`createTlsFiles`). */
    certificates: TlsFiles;
    /** Whether clients must present a certificate signed by the CA. @default "required" */
    clientCertificates?: "required" | "optional";
  };
}

/** `redis-server` arguments for TLS on `port` (and no plain port), and for a password. */
export function redisServerSecurityArgs(port: number, options: RedisServerOptions): string[] {
  const { tls, password } = options;
  const listen = tls
    ? [
        ...["--port", "0", "--tls-port", String(port)],
        ...["--tls-cert-file", tls.certificates.serverCertFile],
        ...["--tls-key-file", tls.certificates.serverKeyFile],
        ...["--tls-ca-cert-file", tls.certificates.caFile],
        ...["--tls-auth-clients", tls.clientCertificates === "optional" ? "optional" : "yes"],
      ]
    : ["--port", String(port)];
  return [...listen, ...(password ? ["--requirepass", password] : [])];
}

/** Starts `redis-server` without persistence on a free port (with TLS or a password if asked). */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerProcess> {
  const binary = options.binary ?? "redis-server";
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "tidings-redis-"));
  let child: ChildProcess | undefined;
  const start = async () => {
    if (isRunning(child)) return;
    const spawned = spawn(
      binary,
      [
        ...redisServerSecurityArgs(port, options),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      { stdio: "ignore" },
    );
    child = spawned;
    const failed = new Promise<never>((_, reject) => spawned.once("error", reject));
    await Promise.race([waitForPort(port, spawned, 10_000), failed]);
  };
  const stop = async () => {
    const current = child;
    if (!isRunning(current)) return;
    const exited = new Promise((resolve) => current.once("exit", resolve));
    current.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `${options.tls ? "rediss" : "redis"}://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
