import type { IncomingMessage } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";
import type { UpgradeRouter } from "../upgrade-router.ts";
import { PusherConnection, type PusherConnectionDeps } from "./pusher-connection.ts";
import type { PusherApp } from "./pusher-env.ts";
import { errorFrame, PROTOCOL_VERSION, PUSHER_CODES } from "./pusher-wire.ts";

/** The Pusher WebSocket endpoint of a node. */
export interface PusherServer {
  /** Closes every connection with 4200 (reconnect at once) and refuses new ones (4100, back off). */
  drain(): Promise<void>;
}

const APP_PATH = /^\/app\/([^/]*)$/;

/** Why a handshake is refused, if it is: the app key and protocol version are checked. */
function refusal(
  request: IncomingMessage,
  apps: ReadonlyMap<string, PusherApp>,
): { app: PusherApp } | { code: number; message: string } {
  const url = new URL(request.url ?? "/", "http://pusher");
  let key: string | undefined;
  try {
    key = decodeURIComponent(APP_PATH.exec(url.pathname)?.[1] ?? "");
  } catch {
    key = undefined;
  }
  const app = key === undefined ? undefined : apps.get(key);
  if (!app) return { code: PUSHER_CODES.appNotFound, message: "Application does not exist" };
  const version = url.searchParams.get("protocol");
  if (!version) return { code: PUSHER_CODES.noVersion, message: "No protocol version supplied" };
  if (!/^\d{1,6}$/.test(version))
    return { code: PUSHER_CODES.invalidVersion, message: "Invalid version string format" };
  if (Number(version) !== PROTOCOL_VERSION) {
    return {
      code: PUSHER_CODES.unsupportedVersion,
      message: `Unsupported protocol version (this server speaks ${PROTOCOL_VERSION})`,
    };
  }
  return { app };
}

function refuse(ws: WebSocket, code: number, message: string): void {
  ws.send(errorFrame(code, message));
  ws.close(code, message);
}

/**
 * Serves `/app/{key}?protocol=7` on the node's HTTP server: the handshake, then a
 * {@link PusherConnection} per client, and the server-side heartbeat of all of them.
 */
export function createPusherServer(
  upgrades: UpgradeRouter,
  deps: PusherConnectionDeps & { maxMessageBytes: number },
): PusherServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxMessageBytes });
  const connections = new Set<PusherConnection>();
  let draining = false;
  const { settings, logger } = deps;

  const heartbeat = setInterval(
    () => {
      const now = Date.now();
      for (const connection of connections) connection.checkActivity(now);
    },
    Math.max(250, (settings.activityTimeoutSeconds * 1_000) / 4),
  ).unref();

  upgrades.route(
    (path) => path === "/app" || path.startsWith("/app/"),
    (request, socket, head) => {
      wss.handleUpgrade(request, socket, head, (ws) => {
        ws.on("error", (error) => logger.debug({ err: error }, "pusher: socket error"));
        const checked = refusal(request, settings.apps);
        if ("code" in checked) return refuse(ws, checked.code, checked.message);
        if (draining)
          return refuse(ws, PUSHER_CODES.overCapacity, "This node is shutting down; retry.");
        const connection = new PusherConnection(ws, checked.app, deps);
        connections.add(connection);
        ws.on("message", (data, isBinary) => {
          if (!isBinary) connection.receive(data.toString());
        });
        ws.on("close", () => {
          connections.delete(connection);
          void connection.close();
        });
      });
    },
  );

  return {
    async drain() {
      draining = true;
      clearInterval(heartbeat);
      await Promise.all(
        [...connections].map((connection) =>
          connection.close(PUSHER_CODES.reconnect, "The server is restarting; reconnect."),
        ),
      );
    },
  };
}
