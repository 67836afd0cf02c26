import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";

/** Handles a WebSocket upgrade request it matched. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Routes HTTP upgrades by path to the compatibility protocols' WebSocket servers. */
export interface UpgradeRouter {
  /** Adds a route; `matches` sees the path (without the query). */
  route(matches: (path: string) => boolean, handle: UpgradeHandler): void;
}

/**
 * One `upgrade` listener for every raw-WebSocket protocol. Socket.IO keeps `/socket.io` (it is
 * told not to destroy other upgrades); any other path nobody claims is answered 404 and closed.
 */
export function createUpgradeRouter(server: Server, socketIoPath = "/socket.io"): UpgradeRouter {
  const routes: { matches: (path: string) => boolean; handle: UpgradeHandler }[] = [];
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (path === socketIoPath || path.startsWith(`${socketIoPath}/`)) return;
    const route = routes.find((candidate) => candidate.matches(path));
    if (route) return route.handle(request, socket, head);
    // Node stops listening for errors on a socket it hands to `upgrade`: a reset must not crash.
    socket.on("error", () => socket.destroy());
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  return {
    route(matches, handle) {
      routes.push({ matches, handle });
    },
  };
}
