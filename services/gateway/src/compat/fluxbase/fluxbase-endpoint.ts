import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { tokenFromHeader, type VerifiedToken } from "@tidings/auth";
import { TidingsError } from "@tidings/protocol";
import { WebSocketServer } from "ws";
import { UPGRADE_UNAVAILABLE, UpgradeConnections } from "../upgrade-connections.ts";
import { type FluxbaseAuth, FluxbaseClient, type FluxbaseClientDeps } from "./fluxbase-client.ts";
import { CLOSE_CODES } from "./fluxbase-wire.ts";

/** The path of Fluxbase's realtime endpoint, at the server root. */
export const FLUXBASE_PATH = "/realtime";

function httpAnswer(status: string, body?: Record<string, unknown>): string {
  const json = body === undefined ? "" : JSON.stringify(body);
  const type = body === undefined ? "" : "Content-Type: application/json\r\n";
  return `HTTP/1.1 ${status}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
}

const INVALID_TOKEN = "Invalid or expired token";
// Fluxbase's answer, and the code and message of its documented error.
const UNAUTHORIZED = httpAnswer("401 Unauthorized", {
  error: INVALID_TOKEN,
  code: "UNAUTHORIZED",
  message: INVALID_TOKEN,
});

/** The WebSocket side of `/realtime`. */
export interface FluxbaseEndpoint {
  /** Takes an upgrade request of the endpoint's path. */
  handle(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Sends every client its heartbeat, closing those whose token expired and dropping silent ones. */
  beat(): void;
  /** Refuses new clients (503), closes open ones so they reconnect elsewhere, and waits for them. */
  drain(deadlineMs: number): Promise<void>;
}

/** The token of a request: `Authorization: Bearer`, else the `token` query parameter. */
function requestToken(request: IncomingMessage): string | undefined {
  const query = new URL(request.url ?? "/", "http://localhost").searchParams.get("token");
  return tokenFromHeader(request.headers.authorization) ?? (query || undefined);
}

/**
 * Fluxbase's realtime endpoint: the token is checked before the handshake (a bad one is HTTP 401,
 * as Fluxbase answers it), no token is an anonymous connection.
 */
export function createFluxbaseEndpoint(
  deps: FluxbaseClientDeps,
  options: { maxMessageBytes: number },
): FluxbaseEndpoint {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    perMessageDeflate: false,
  });
  const clients = new Set<FluxbaseClient>();
  const connections = new UpgradeConnections(deps.logger, "fluxbase");

  async function authenticate(request: IncomingMessage): Promise<FluxbaseAuth | string> {
    const token = requestToken(request);
    if (!token) return { user: null, expiresAt: null, token: null };
    let verified: VerifiedToken;
    try {
      verified = await deps.tokens.verify(token);
    } catch (error) {
      if (error instanceof TidingsError && error.code === "UNAUTHORIZED") return UNAUTHORIZED;
      deps.logger.error({ err: error }, "fluxbase: could not verify a token");
      return UPGRADE_UNAVAILABLE;
    }
    return { user: verified.user, expiresAt: verified.expiresAt, token };
  }

  async function serve(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const auth = await authenticate(request);
    if (socket.destroyed) return;
    if (typeof auth === "string" || connections.draining) {
      socket.end(typeof auth === "string" ? auth : UPGRADE_UNAVAILABLE);
      return;
    }
    // On a handshake ws refuses (bad key or version), the callback never runs and ws answers 400.
    const client = await new Promise<FluxbaseClient | undefined>((resolve) => {
      socket.once("close", () => resolve(undefined));
      wss.handleUpgrade(request, socket, head, (ws) => resolve(new FluxbaseClient(ws, deps, auth)));
    });
    if (client === undefined) return;
    clients.add(client);
    await client.done;
    clients.delete(client);
  }

  return {
    handle(request, socket, head) {
      connections.accept(socket, () => serve(request, socket, head));
    },
    beat() {
      const now = Date.now();
      for (const client of clients) client.beat(now);
    },
    async drain(deadlineMs) {
      await connections.drain(deadlineMs, () => {
        for (const client of clients) client.close(CLOSE_CODES.restart, "server_shutdown");
      });
      wss.close();
    },
  };
}
