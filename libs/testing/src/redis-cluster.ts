import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, isRunning } from "./local-servers.ts";
import { type RedisServerOptions, redisServerSecurityArgs, waitForPort } from "./redis.ts";

const run = promisify(execFile);

/** A Redis Cluster of masters only, each a `redis-server` process of the test's own. */
export interface RedisClusterProcess extends AsyncDisposable {
  /** The first master's URL (`rediss://` with TLS): a seed node, as TIDINGS_REDIS_URL. */
  readonly url: string;
  /** Every master as `127.0.0.1:<port>`, comma-separated, as TIDINGS_REDIS_CLUSTER_NODES. */
  readonly nodes: string;
  /** The masters' client ports (TLS ports with TLS). */
  readonly ports: readonly number[];
  /** Runs `redis-cli` on one master (with the cluster's TLS and password); its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** Kills every server (SIGKILL, by PID: nothing is persisted) and waits for them to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}: a server's, plus how many masters. */
export interface RedisClusterOptions extends Omit<RedisServerOptions, "binary"> {
  /** @default 3 */
  masters?: number;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Starts a Redis Cluster on this machine: `masters` servers with `--cluster-enabled yes` (each with
 * its bus on a free port of its own), joined and given the 16384 slots by `redis-cli --cluster
 * create` with no replicas. Resolves once every master reports `cluster_state:ok`.
 */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<RedisClusterProcess> {
  try {
    return await startOnFreePorts(options);
  } catch {
    // A port found free can be taken before the server binds it (tests run in parallel), and the
    // cluster then fails to form: once more on other ports.
    return await startOnFreePorts(options);
  }
}

async function startOnFreePorts(options: RedisClusterOptions): Promise<RedisClusterProcess> {
  const masters = options.masters ?? 3;
  const all = await distinctFreePorts(masters * 2);
  const ports = all.slice(0, masters);
  const dir = await mkdtemp(join(tmpdir(), "tidings-redis-cluster-"));
  const children: ChildProcess[] = [];
  const certificates = options.tls?.certificates;
  const cliAuth = [
    ...(certificates
      ? [
          ...["--tls", "--cacert", certificates.caFile],
          ...["--cert", certificates.clientCertFile, "--key", certificates.clientKeyFile],
        ]
      : []),
    ...(options.password ? ["-a", options.password, "--no-auth-warning"] : []),
  ];
  const cli = async (port: number, ...args: string[]) =>
    (await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...cliAuth, ...args])).stdout;
  const stop = async () => {
    await Promise.all(
      children.filter(isRunning).map((child) => {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        return exited;
      }),
    );
  };
  try {
    await Promise.all(
      ports.map(async (port, i) => {
        const child = spawn(
          "redis-server",
          [
            ...redisServerSecurityArgs(port, options),
            ...["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
            ...["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`],
            ...["--cluster-port", String(all[masters + i]), "--cluster-node-timeout", "3000"],
            ...(options.password ? ["--masterauth", options.password] : []),
            // The cluster bus is TLS too; a node presents the client certificate to its peers.
            ...(certificates
              ? [
                  ...["--tls-cluster", "yes", "--tls-replication", "yes"],
                  ...["--tls-client-cert-file", certificates.clientCertFile],
                  ...["--tls-client-key-file", certificates.clientKeyFile],
                ]
              : []),
          ],
          { stdio: "ignore" },
        );
        children.push(child);
        const failed = new Promise<never>((_, reject) => child.once("error", reject));
        await Promise.race([waitForPort(port, child, 10_000), failed]);
      }),
    );
    const first = ports[0] as number;
    await cli(
      first,
      ...["--cluster", "create", ...ports.map((port) => `127.0.0.1:${port}`)],
      ...["--cluster-replicas", "0", "--cluster-yes"],
    ).catch((error: Error & { stdout?: string }) => {
      // redis-cli says why on stdout ("[ERR] …"); execFile's message holds only stderr.
      throw new Error(`${error.message}\n${error.stdout ?? ""}`, { cause: error });
    });
    await clusterReady(ports, masters, cli);
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `${certificates ? "rediss" : "redis"}://127.0.0.1:${ports[0]}`,
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(","),
    ports,
    cli,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function clusterReady(
  ports: number[],
  masters: number,
  cli: (port: number, ...args: string[]) => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const infos = await Promise.all(ports.map((port) => cli(port, "cluster", "info")));
    const ready = infos.every(
      (info) =>
        info.includes("cluster_state:ok") &&
        info.includes("cluster_slots_ok:16384") &&
        info.includes(`cluster_known_nodes:${masters}`),
    );
    if (ready) return;
    if (Date.now() > deadline)
      throw new Error(`the Redis Cluster did not become ready in 20 s:\n${infos.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
