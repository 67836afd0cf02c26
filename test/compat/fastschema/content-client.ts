import WebSocket, { type ClientOptions } from "ws";
import type { Cluster } from "../../support/cluster.ts";

/** A message of FastSchema's realtime endpoint. */
export interface ContentMessage {
  event: "create" | "update" | "delete";
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary record fields
  data: any;
}

/** A raw `ws` client of `/api/realtime/content`, as FastSchema's SDK opens it. */
export interface ContentClient {
  ws: WebSocket;
  /** Every JSON message received, parsed. */
  messages: ContentMessage[];
  /** Every text frame received, as sent. */
  frames: string[];
  /** Resolves with the close code and reason once the socket closed. */
  closed: Promise<{ code: number; reason: string }>;
}

/** The endpoint's URL on node `on` with the given query parameters. */
export function contentUrl(cluster: Cluster, on: number, query: Record<string, string>): string {
  const base = cluster.nodes[on]!.url.replace(/^http/, "ws");
  return `${base}/api/realtime/content?${new URLSearchParams(query)}`;
}

/**
 * Opens a client and resolves once its socket is open (a refusal opens too, then closes); rejects
 * when the handshake fails.
 */
export function openContent(
  cluster: Cluster,
  query: Record<string, string>,
  options: { on?: number; protocols?: string[]; ws?: ClientOptions } = {},
): Promise<ContentClient> {
  const url = contentUrl(cluster, options.on ?? 0, query);
  const ws = new WebSocket(url, options.protocols ?? [], options.ws);
  const client: ContentClient = {
    ws,
    messages: [],
    frames: [],
    closed: new Promise((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    ),
  };
  ws.on("message", (data, isBinary) => {
    if (isBinary) return;
    const text = data.toString();
    client.frames.push(text);
    try {
      client.messages.push(JSON.parse(text));
    } catch {
      // An echoed frame that is not JSON.
    }
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(client));
    ws.once("error", reject);
  });
}

/** Opens a client that must be refused, and resolves with its close code and reason. */
export async function refusal(
  cluster: Cluster,
  query: Record<string, string>,
  options: Parameters<typeof openContent>[2] = {},
): Promise<{ code: number; reason: string }> {
  const client = await openContent(cluster, query, options);
  return client.closed;
}
