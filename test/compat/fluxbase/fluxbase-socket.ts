import WebSocket, { type ClientOptions } from "ws";

/** A server → client frame. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary frame fields
export type Frame = Record<string, any>;

/** A raw Fluxbase realtime client, as Fluxbase's docs show one (`ws` + JSON frames). */
export interface FluxbaseSocket {
  readonly ws: WebSocket;
  /** Every frame received so far, heartbeats included. */
  readonly frames: Frame[];
  /** Resolves with the close code and reason once the connection has closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** The next frame not yet taken that matches (heartbeats are skipped unless asked for). */
  next(match?: Partial<Frame> | ((frame: Frame) => boolean), timeoutMs?: number): Promise<Frame>;
  /** The frames not yet taken that match, taken now. */
  take(match: Partial<Frame> | ((frame: Frame) => boolean)): Frame[];
  /** Sends a ping and waits for the pong: every message sent before it has been handled. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

function matcher(match: Partial<Frame> | ((frame: Frame) => boolean) | undefined) {
  if (typeof match === "function") return match;
  const wanted = match ?? {};
  if (wanted.type === undefined) return (frame: Frame) => frame.type !== "heartbeat";
  return (frame: Frame) => Object.entries(wanted).every(([key, value]) => frame[key] === value);
}

/** `ws://…/realtime` of a node's `http://` URL, with the token as `?token=` when given. */
export function realtimeUrl(baseUrl: string, token?: string): string {
  const url = new URL("/realtime", baseUrl.replace(/^http/, "ws"));
  if (token) url.searchParams.set("token", token);
  return url.toString();
}

/** Opens a raw Fluxbase connection (rejects if the handshake fails). */
export async function connectFluxbase(
  baseUrl: string,
  options: { token?: string; header?: string } & ClientOptions = {},
): Promise<FluxbaseSocket> {
  const { token, header, ...rest } = options;
  const ws = new WebSocket(realtimeUrl(baseUrl, token), {
    ...rest,
    headers: header ? { authorization: `Bearer ${header}` } : {},
  });
  const frames: Frame[] = [];
  const taken = new Set<Frame>();
  const waiters = new Set<() => void>();
  ws.on("message", (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const take = (match: Partial<Frame> | ((frame: Frame) => boolean)) => {
    const test = matcher(match);
    const found = frames.filter((frame) => !taken.has(frame) && test(frame));
    for (const frame of found) taken.add(frame);
    return found;
  };
  const socket: FluxbaseSocket = {
    ws,
    frames,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    take,
    next(match, timeoutMs = 10_000) {
      const test = matcher(match);
      return new Promise((resolve, reject) => {
        const check = () => {
          const frame = frames.find((candidate) => !taken.has(candidate) && test(candidate));
          if (!frame) return false;
          taken.add(frame);
          cleanup();
          resolve(frame);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no frame matching ${String(match)}; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = () => void check();
        if (!check()) waiters.add(wake);
      });
    },
    async settle() {
      ws.send(JSON.stringify({ type: "ping" }));
      await socket.next({ type: "pong" });
    },
    async close() {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
      await closed;
    },
  };
  return socket;
}

/** Attempts a handshake that the server refuses; resolves with its HTTP status and JSON body. */
export function refusedHandshake(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => {
      ws.close();
      reject(new Error("the handshake succeeded"));
    });
    ws.once("unexpected-response", (_request, response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
      );
    });
    ws.once("error", () => {});
  });
}
