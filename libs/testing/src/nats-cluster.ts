import { randomBytes } from "node:crypto";
import { freePort } from "./local-servers.ts";
import { type NatsServerProcess, startNatsServer } from "./nats.ts";

/** A JetStream cluster of nats-server processes of a test's own, on free ports. */
export interface NatsClusterProcess extends AsyncDisposable {
  /** The nodes, each a server process that can be stopped and started again. */
  readonly servers: NatsServerProcess[];
  /** The client URL of each node. */
  readonly urls: string[];
}

/** Options of {@link startNatsCluster}. */
export interface NatsClusterOptions {
  /** Nodes. @default 3 */
  size?: number;
  /** More configuration every node gets (TLS, authorization), in nats-server's syntax. */
  config?: string;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Starts `size` nats-server processes with JetStream, routed to each other as one cluster (each
 * with a server name, as clustered JetStream requires), and resolves once every node reports
 * JetStream ready, i.e. the cluster has elected its meta leader.
 */
export async function startNatsCluster(
  options: NatsClusterOptions = {},
): Promise<NatsClusterProcess> {
  const size = options.size ?? 3;
  const ports = await distinctFreePorts(size * 2);
  const clientPorts = ports.slice(0, size);
  const routePorts = ports.slice(size);
  const name = `tidings_${randomBytes(4).toString("hex")}`;
  const routes = routePorts.map((port) => `nats-route://127.0.0.1:${port}`);
  const started = await Promise.allSettled(
    clientPorts.map((port, i) =>
      startNatsServer({
        port,
        readyTimeoutMs: 30_000,
        config: [
          `server_name: ${name}_n${i + 1}`,
          "cluster {",
          `  name: ${name}`,
          `  listen: 127.0.0.1:${routePorts[i]}`,
          `  routes: [${routes.filter((_, j) => j !== i).join(", ")}]`,
          "}",
          options.config ?? "",
        ].join("\n"),
      }),
    ),
  );
  const servers = started.flatMap((result) =>
    result.status === "fulfilled" ? [result.value] : [],
  );
  const dispose = async () => {
    await Promise.all(servers.map((server) => server[Symbol.asyncDispose]()));
  };
  const failure = started.find((result) => result.status === "rejected");
  if (failure) {
    await dispose();
    throw failure.reason;
  }
  return { servers, urls: servers.map((server) => server.url), [Symbol.asyncDispose]: dispose };
}
