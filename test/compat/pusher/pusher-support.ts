import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import Echo from "laravel-echo";
import Pusher from "pusher-js";
import { WebSocket } from "ws";
import { type Cluster, startCluster } from "../../support/cluster.ts";

/** The app every test cluster serves. */
export const APP_KEY = "tidings-test-key";
export const APP_SECRET = "tidings-test-secret-0123456789";

/** A cluster with the Pusher protocol on (one app). */
export function startPusherCluster(
  options: { nodes?: number; env?: Record<string, string> } = {},
): Promise<Cluster> {
  return startCluster({
    nodes: options.nodes ?? 1,
    env: { TIDINGS_PUSHER_APPS: `${APP_KEY}:${APP_SECRET}`, ...options.env },
  });
}

/** The HTTP origin's host and port, for pusher-js's `wsHost`/`wsPort`. */
function hostOf(url: string): { wsHost: string; wsPort: number } {
  const { hostname, port } = new URL(url);
  return { wsHost: hostname, wsPort: Number(port) };
}

const clients: { disconnect(): void }[] = [];

/** Disconnects every Echo a test made (so none keeps reconnecting to a stopped cluster). */
export function disconnectEchos(): void {
  for (const client of clients.splice(0)) client.disconnect();
}

/** Laravel Echo over the real pusher-js, as a Laravel frontend sets it up (bearer token, auth endpoint). */
export function connectEcho(
  url: string,
  options: {
    token?: string;
    broadcaster?: "pusher" | "reverb";
    authEndpoint?: string;
    activityTimeout?: number;
  } = {},
) {
  const echo = new Echo({
    broadcaster: options.broadcaster ?? "pusher",
    Pusher,
    key: APP_KEY,
    cluster: "mt1",
    ...hostOf(url),
    forceTLS: false,
    enabledTransports: ["ws"],
    disableStats: true,
    authEndpoint: options.authEndpoint ?? `${url}/broadcasting/auth`,
    // Echo writes the bearer token into its shared default headers object: one per instance.
    auth: { headers: {} },
    userAuthentication: { endpoint: "/broadcasting/user-auth", headers: {} },
    ...(options.token ? { bearerToken: options.token } : {}),
    ...(options.activityTimeout ? { activityTimeout: options.activityTimeout } : {}),
  } as never) as Echo<"pusher">;
  clients.push(echo);
  const pusher = echo.connector.pusher as Pusher;
  return { echo, pusher };
}

/** Resolves once pusher-js reports `connected`. */
export function connected(pusher: Pusher): Promise<void> {
  return new Promise((resolve) => {
    if (pusher.connection.state === "connected") return resolve();
    pusher.connection.bind("connected", () => resolve());
  });
}

/** A frame as a raw client sees it, `data` decoded. */
export interface RawFrame {
  event: string;
  channel?: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary frame data
  data?: any;
  rawData?: unknown;
  user_id?: string;
}

/** A plain WebSocket speaking Pusher protocol 7 by hand. */
export class RawPusher {
  readonly frames: RawFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #ws: WebSocket;
  readonly #waiters = new Set<() => void>();

  constructor(url: string, path = `/app/${APP_KEY}?protocol=7&client=js&version=8.6.0`) {
    this.#ws = new WebSocket(url.replace(/^http/, "ws") + path);
    this.#ws.on("message", (raw) => {
      const frame = JSON.parse(raw.toString()) as RawFrame;
      frame.rawData = frame.data;
      if (typeof frame.data === "string") {
        try {
          frame.data = JSON.parse(frame.data);
        } catch {}
      }
      this.frames.push(frame);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) =>
      this.#ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  sendRaw(text: string): void {
    this.#ws.send(text);
  }

  send(event: string, data?: unknown, channel?: string): void {
    this.#ws.send(JSON.stringify({ event, data, ...(channel ? { channel } : {}) }));
  }

  /** The first frame (received so far or later) that matches. */
  next(match: (frame: RawFrame) => boolean, timeoutMs = 10_000): Promise<RawFrame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.find(match);
        if (!found) return false;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no matching frame; got ${JSON.stringify(this.frames).slice(0, 800)}`));
      }, timeoutMs);
      if (!check()) this.#waiters.add(check);
    });
  }

  /** Waits for `pusher:connection_established` and answers the socket id. */
  async socketId(): Promise<string> {
    const established = await this.next((f) => f.event === "pusher:connection_established");
    return established.data.socket_id as string;
  }

  close(): void {
    this.#ws.close();
  }
}

/** Subscribes a raw client to a private or presence channel, authorized by the node for `token`. */
export async function subscribeRaw(
  cluster: Cluster,
  raw: RawPusher,
  channel: string,
  token?: string,
): Promise<RawFrame> {
  const socketId = await raw.socketId();
  const answer = await cluster.call("POST", "/broadcasting/auth", {
    ...(token ? { token } : {}),
    body: { socket_id: socketId, channel_name: channel },
  });
  if (answer.status !== 200) throw new Error(`not authorized: ${JSON.stringify(answer.body)}`);
  raw.send("pusher:subscribe", { channel, ...answer.body });
  return raw.next(
    (f) => f.event === "pusher_internal:subscription_succeeded" && f.channel === channel,
  );
}

/** An HTTP request the recording proxy passed on, with the answer. */
export interface RecordedRequest {
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  response: any;
}

/** An HTTP proxy in front of a node that records what passes (to see pusher-js's auth requests). */
export async function startRecordingProxy(target: string) {
  const requests: RecordedRequest[] = [];
  const server = createHttpServer(async (request, reply) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "authorization"])
      if (request.headers[name]) headers[name] = request.headers[name] as string;
    const answer = await fetch(target + request.url, {
      method: request.method ?? "GET",
      headers,
      ...(body ? { body } : {}),
    });
    const text = await answer.text();
    requests.push({
      path: request.url ?? "",
      contentType: request.headers["content-type"],
      authorization: request.headers.authorization,
      body,
      status: answer.status,
      response: text ? JSON.parse(text) : undefined,
    });
    reply.writeHead(answer.status, { "content-type": "application/json" }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
