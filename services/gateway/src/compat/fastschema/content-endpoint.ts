import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { TokenService } from "@tidings/auth";
import type { Logger } from "@tidings/service";
import { WebSocketServer } from "ws";
import type { CompatDeps } from "../compat-session.ts";
import { UPGRADE_UNAVAILABLE, UpgradeConnections } from "../upgrade-connections.ts";
import { CLOSE_CODES, ContentRefusal, closeReasonText } from "./close-reasons.ts";
import { ContentSocket, type ContentSocketLimits } from "./content-socket.ts";
import { type ContentSubscriber, subscribeContent } from "./content-subscriber.ts";
import { selectSubprotocol } from "./request-token.ts";

/** What the endpoint is built on. */
export interface ContentEndpointDeps {
  compat: CompatDeps;
  tokens: TokenService;
  logger: Logger;
}

/** The WebSocket side of `/api/realtime/content`. */
export interface ContentEndpoint {
  /** Takes an upgrade request of the endpoint's path. */
  handle(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Pings every client, closing those whose token expired and dropping silent ones. */
  beat(): void;
  /** Refuses new clients (503), closes open ones with 1001, and waits for their cleanup. */
  drain(deadlineMs: number): Promise<void>;
}

/**
 * FastSchema's realtime endpoint. The subscription is made before the handshake completes, so a
 * client receives every change committed after its socket opens; a refusal still completes the
 * handshake and then closes with code 1000 and FastSchema's reason, as FastSchema does.
 */
export function createContentEndpoint(
  deps: ContentEndpointDeps,
  limits: ContentSocketLimits & { maxMessageBytes: number },
): ContentEndpoint {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    perMessageDeflate: false,
    handleProtocols: selectSubprotocol,
  });
  const sockets = new Set<ContentSocket>();
  const connections = new UpgradeConnections(deps.logger, "fastschema");

  function closeSession(subscriber: ContentSubscriber | undefined): Promise<void> {
    return subscriber?.session.close() ?? Promise.resolve();
  }

  async function serve(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let gone = false;
    let subscriber: ContentSubscriber | undefined;
    let cleaned: Promise<void> | undefined;
    const ended = new Promise<void>((resolve) =>
      socket.once("close", () => {
        gone = true;
        cleaned = closeSession(subscriber);
        resolve();
      }),
    );
    let refusal: string | undefined;
    try {
      subscriber = await subscribeContent(deps, request);
    } catch (error) {
      refusal = error instanceof ContentRefusal ? error.message : "[500] Internal Server Error";
    }
    if (gone) {
      await closeSession(subscriber);
      return;
    }
    if (connections.draining) {
      socket.end(UPGRADE_UNAVAILABLE);
    } else {
      // On a handshake ws refuses (bad key or version), the callback never runs and the socket
      // closes, which ends the session above.
      wss.handleUpgrade(request, socket, head, (ws) => {
        if (subscriber === undefined) {
          ws.on("error", () => {});
          ws.close(CLOSE_CODES.normal, closeReasonText(refusal ?? ""));
          return;
        }
        const client = new ContentSocket(ws, subscriber, limits, deps.logger);
        sockets.add(client);
        ws.once("close", () => sockets.delete(client));
      });
    }
    await ended;
    await cleaned;
  }

  return {
    handle(request, socket, head) {
      connections.accept(socket, () => serve(request, socket, head));
    },
    beat() {
      for (const client of sockets) client.beat();
    },
    async drain(deadlineMs) {
      await connections.drain(deadlineMs, () => {
        for (const client of sockets)
          client.close(CLOSE_CODES.goingAway, "[503] Server shutting down");
      });
    },
  };
}
