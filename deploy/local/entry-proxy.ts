import {
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";

/** A backend the proxy forwards to. */
export interface Upstream {
  host: string;
  port: number;
}

/** Where each kind of request goes. */
export interface EntryRoutes {
  /** Realtime: Socket.IO, the compatibility protocols, channel auth, the client SDK's builds. */
  gateways: Upstream[];
  /** Everything else: the REST API. */
  records: Upstream[];
}

// Paths served by gateway nodes; all others go to the records replicas.
const GATEWAY_PATHS = [
  /^\/socket\.io(\/|$)/,
  /^\/api\/realtime(\/|$)/,
  /^\/realtime$/,
  /^\/app\//,
  /^\/(api\/)?broadcasting\/auth$/,
  /^\/sdk\//,
];
const STICKY_COOKIE = "tidings_node";

function isGatewayPath(path: string): boolean {
  return GATEWAY_PATHS.some((pattern) => pattern.test(path));
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/**
 * The cluster's single entry port: a small reverse proxy with sticky sessions for the gateways
 * (what nginx's `sticky` or HAProxy's cookie persistence do in production). A client is pinned to a
 * gateway by a cookie, so long-polling requests and PocketBase's SSE stream + POST pairs reach the
 * node that holds their session; WebSockets are one connection and need no pinning. A gateway that
 * refuses the connection is skipped, so clients move to a live node.
 */
export async function startEntryProxy(
  routes: EntryRoutes,
  port: number,
  host = "127.0.0.1",
): Promise<EntryProxy> {
  const tunnels = new Set<Duplex>();
  let turn = 0;
  const pick = (
    pool: Upstream[],
    pinned: string | undefined,
    alive: (u: Upstream) => boolean = () => true,
  ) => {
    const index = pinned !== undefined ? Number(pinned) : Number.NaN;
    if (Number.isInteger(index) && pool[index] && alive(pool[index]))
      return { upstream: pool[index], index };
    for (let tries = 0; tries < pool.length; tries += 1) {
      const candidate = (turn++ + tries) % pool.length;
      if (alive(pool[candidate] as Upstream))
        return { upstream: pool[candidate] as Upstream, index: candidate };
    }
    return { upstream: pool[0] as Upstream, index: 0 };
  };
  const down = new Map<string, number>();
  const alive = (u: Upstream) => (down.get(`${u.host}:${u.port}`) ?? 0) < Date.now();
  const markDown = (u: Upstream) => down.set(`${u.host}:${u.port}`, Date.now() + 2_000);

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const toGateway = isGatewayPath(path);
    const pinned = toGateway ? cookieOf(req.headers.cookie, STICKY_COOKIE) : undefined;
    const { upstream, index } = pick(toGateway ? routes.gateways : routes.records, pinned, alive);
    const upstreamRequest = request(
      {
        host: upstream.host,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, "x-forwarded-for": req.socket.remoteAddress ?? "" },
      },
      (upstreamResponse) => {
        // How long a connection stays open is each hop's own: the client hears the proxy's.
        const {
          connection: _connection,
          "keep-alive": _keepAlive,
          ...headers
        } = upstreamResponse.headers;
        if (toGateway && pinned !== String(index)) {
          headers["set-cookie"] = [
            ...(headers["set-cookie"] ?? []),
            `${STICKY_COOKIE}=${index}; Path=/; HttpOnly; SameSite=Lax`,
          ];
        }
        res.writeHead(upstreamResponse.statusCode ?? 502, headers);
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on("error", () => {
      markDown(upstream);
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          status: 502,
          code: "UNAVAILABLE",
          message: "The upstream node did not answer.",
          data: {},
        }),
      );
    });
    req.pipe(upstreamRequest);
  };

  const upgrade = (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const pool = isGatewayPath(path) ? routes.gateways : routes.records;
    const { upstream } = pick(pool, cookieOf(req.headers.cookie, STICKY_COOKIE), alive);
    const backend: Socket = connect(upstream.port, upstream.host, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      backend.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length > 0) backend.write(head);
      backend.pipe(client).pipe(backend);
    });
    tunnels.add(client);
    const close = () => {
      tunnels.delete(client);
      backend.destroy();
      client.destroy();
    };
    backend.on("error", () => {
      markDown(upstream);
      close();
    });
    client.on("error", close);
    backend.on("close", close);
    client.on("close", close);
  };

  // Node's default of 5 s races a client that reuses an idle keep-alive connection just as the
  // server closes it, and the client's request ends in ECONNRESET. The services behind the proxy
  // keep theirs for 72 s (Fastify's default): so does the proxy.
  const server: Server = createServer({ keepAliveTimeout: 72_000 }, forward);
  server.on("upgrade", upgrade);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const tunnel of tunnels) tunnel.destroy();
      await closed;
    },
  };
}

/** The running proxy. */
export interface EntryProxy {
  /** Stops accepting, and cuts every proxied connection and tunnel. */
  close(): Promise<void>;
}
