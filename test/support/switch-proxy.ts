import { createServer, type Socket, connect as tcpConnect } from "node:net";

/** A TCP proxy in front of the nodes, standing in for a load balancer. */
export interface SwitchProxy extends AsyncDisposable {
  readonly url: string;
  /** Sends new connections to `port`. */
  target(port: number): void;
  /** Cuts every open connection, as a network failure would. */
  cut(): void;
  /** Refuses new connections until {@link release}. */
  hold(): void;
  release(): void;
}

/** Starts a proxy that forwards to `port`. */
export async function startSwitchProxy(port: number): Promise<SwitchProxy> {
  let targetPort = port;
  let held = false;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (held) return void client.destroy();
    const upstream = tcpConnect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port: own } = server.address() as { port: number };
  const cut = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${own}`,
    target: (next) => {
      targetPort = next;
    },
    cut,
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
    },
    async [Symbol.asyncDispose]() {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
