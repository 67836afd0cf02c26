import type { ChangePayload } from "@tidings/protocol";
import { io as connect, type Socket } from "socket.io-client";

/** Counts the `change` events of one phase by `seq`: every one expected exactly once. */
export class DeliveryTracker {
  #seen = new Uint8Array(0);
  #first = 0;
  received = 0;
  unique = 0;
  duplicates = 0;
  /** Arrivals of an earlier phase (warm-up stragglers): not counted. */
  stale = 0;
  lastAt = 0;
  #waiter: (() => void) | null = null;

  /** Starts a phase expecting `count` events with seq from `first` on. */
  expect(first: number, count: number): void {
    this.#seen = new Uint8Array(count);
    this.#first = first;
    this.received = this.unique = this.duplicates = this.stale = 0;
  }

  get expected(): number {
    return this.#seen.length;
  }

  record(seq: number): void {
    const slot = seq - this.#first;
    if (slot < 0 || slot >= this.#seen.length) {
      this.stale++;
      return;
    }
    this.received++;
    this.lastAt = performance.now();
    if (this.#seen[slot]) this.duplicates++;
    else {
      this.#seen[slot] = 1;
      this.unique++;
      if (this.unique === this.#seen.length) this.#waiter?.();
    }
  }

  /** Resolves when every expected event arrived, or when none arrived for `idleMs` (some lost). */
  async settle(idleMs: number): Promise<void> {
    const done = new Promise<void>((resolve) => {
      this.#waiter = resolve;
    });
    let lastCount = -1;
    while (this.unique < this.expected && this.received !== lastCount) {
      lastCount = this.received;
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, idleMs))]);
    }
    this.#waiter = null;
  }
}

/** Socket.IO clients of one pairing; each joins its share of one node's rooms. */
export class BenchClients {
  readonly #sockets: Socket[] = [];
  readonly tracker = new DeliveryTracker();

  /** Connects `perNode` clients to the node at `port`, splitting `rooms` between them. */
  async connect(port: number, rooms: string[], perNode: number): Promise<void> {
    const joins: Promise<void>[] = [];
    for (let i = 0; i < perNode; i++) {
      const own = rooms.filter((_, index) => index % perNode === i);
      const socket = connect(`http://127.0.0.1:${port}`, {
        auth: { rooms: own },
        transports: ["websocket"],
        forceNew: true,
        reconnection: false,
      });
      socket.on("change", (payload: ChangePayload) => this.tracker.record(payload.seq));
      this.#sockets.push(socket);
      joins.push(
        new Promise((resolve, reject) => {
          socket.once("joined", () => resolve());
          socket.once("connect_error", reject);
        }),
      );
    }
    await Promise.all(joins);
  }

  close(): void {
    for (const socket of this.#sockets) socket.close();
  }
}
