import type { Duplex } from "node:stream";
import type { Logger } from "@tidings/service";

/** The raw answer to an upgrade that cannot be served: the node is going away. */
export const UPGRADE_UNAVAILABLE =
  "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

/**
 * The upgraded connections of one raw-WebSocket endpoint, each from its request until its session
 * is cleaned up, so that a drain can wait for every cleanup (or cut the stragglers off).
 */
export class UpgradeConnections {
  readonly #connections = new Map<Duplex, Promise<void>>();
  readonly #logger: Logger;
  readonly #label: string;
  #draining = false;

  constructor(logger: Logger, label: string) {
    this.#logger = logger;
    this.#label = label;
  }

  /** True once a drain began: new connections are refused with 503. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Serves one upgrade request with `serve` (which resolves once its session is cleaned up). */
  accept(socket: Duplex, serve: () => Promise<void>): void {
    // Node's HTTP server stops listening for errors on upgraded sockets; a reset must not crash.
    socket.on("error", () => socket.destroy());
    if (this.#draining) {
      socket.end(UPGRADE_UNAVAILABLE);
      return;
    }
    const done = serve()
      .catch((error) => this.#logger.warn({ err: error }, `${this.#label}: connection failed`))
      .finally(() => this.#connections.delete(socket));
    this.#connections.set(socket, done);
  }

  /**
   * Refuses new connections, asks the open ones to leave (`closeAll`), waits for them up to the
   * deadline, then cuts off those that did not answer and waits for their cleanup.
   */
  async drain(deadlineMs: number, closeAll: () => void): Promise<void> {
    this.#draining = true;
    closeAll();
    const deadline = new Promise((resolve) => setTimeout(resolve, deadlineMs).unref());
    await Promise.race([Promise.all(this.#connections.values()), deadline]);
    for (const socket of this.#connections.keys()) socket.destroy();
    await Promise.all(this.#connections.values());
  }
}
