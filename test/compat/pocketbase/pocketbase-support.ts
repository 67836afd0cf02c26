import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TEST_PASSWORD } from "@tidings/records/testing";
import { EventSource } from "eventsource";
import PocketBase, { type RecordModel } from "pocketbase";
import type { Cluster } from "../../support/cluster.ts";

// The SDK opens its stream with the global EventSource, as in a browser.
globalThis.EventSource = EventSource as unknown as typeof globalThis.EventSource;

export { TEST_PASSWORD };

/** A PocketBase record event as the SDK hands it to a callback. */
export interface RecordEvent {
  action: string;
  record: RecordModel;
}

/** The real SDK against `url`; requests are not auto-cancelled (tests send them in parallel). */
export function sdk(url: string, token?: string, record?: RecordModel): PocketBase {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  if (token) pb.authStore.save(token, record ?? null);
  return pb;
}

/** Subscribes `pb` to `topic` of `collection` and collects what arrives. */
export async function watch(
  pb: PocketBase,
  collection: string,
  topic: string,
  options?: Record<string, unknown>,
): Promise<{ events: RecordEvent[]; unsubscribe: () => Promise<void> }> {
  const events: RecordEvent[] = [];
  const unsubscribe = await pb
    .collection(collection)
    .subscribe(topic, (event) => events.push(event as RecordEvent), options);
  return { events, unsubscribe };
}

/** One SSE frame as read off the wire. */
export interface SseFrame {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/** A raw `GET /api/realtime` stream, read frame by frame. */
export interface RawStream {
  status: number;
  headers: Headers;
  frames: SseFrame[];
  /** The client id of its PB_CONNECT. */
  clientId: string;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = { id: undefined, event: undefined, data: "" };
  for (const line of block.split("\n")) {
    const colon = line.indexOf(":");
    const [field, value] = colon < 0 ? [line, ""] : [line.slice(0, colon), line.slice(colon + 1)];
    if (field === "id") frame.id = value;
    else if (field === "event") frame.event = value;
    else if (field === "data") frame.data += value;
  }
  return frame;
}

/** Opens a stream without the SDK and waits for its PB_CONNECT. */
export async function rawStream(url: string): Promise<RawStream> {
  const abort = new AbortController();
  const response = await fetch(`${url}/api/realtime`, {
    headers: { accept: "text/event-stream" },
    signal: abort.signal,
  });
  const frames: SseFrame[] = [];
  let connected: (clientId: string) => void = () => {};
  const clientId = new Promise<string>((resolve) => {
    connected = resolve;
  });
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = parseFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          frames.push(frame);
          if (frame.event === "PB_CONNECT") connected(JSON.parse(frame.data).clientId);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    frames,
    clientId: await clientId,
    ended,
    close: () => abort.abort(),
  };
}

/** `POST /api/realtime` without the SDK. */
export async function postSubscriptions(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: { status?: number; code?: string; message?: string } }> {
  const response = await fetch(`${url}/api/realtime`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: token } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

/** Creates a record as the superuser (through node `on`) and returns it. */
export async function createRecord(
  cluster: Cluster,
  collection: string,
  body: Record<string, unknown>,
  on = 0,
): Promise<RecordModel> {
  const answer = await cluster.call("POST", `/api/collections/${collection}/records`, {
    token: cluster.superuser.token,
    body,
    on,
  });
  if (answer.status !== 201) throw new Error(`not created: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * An HTTP front that forwards every request to the node `target()` names at that moment, as a
 * load balancer would: SSE streams pass through unbuffered.
 */
export async function frontProxy(target: () => string): Promise<{ url: string; close(): void }> {
  const server: Server = createServer((req, res) => {
    const to = new URL(req.url ?? "/", target());
    const upstream = httpRequest(
      to,
      { method: req.method, headers: { ...req.headers, host: to.host }, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
