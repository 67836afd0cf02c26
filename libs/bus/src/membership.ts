import { randomBytes } from "node:crypto";
import type { Transport } from "./transport.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Announcement {
  id: string;
  bye?: boolean;
}

/**
 * Who else consumes the same group, learnt from heartbeats on a plain (not stored) subject, so
 * each replica can aim at its fair share of the partitions. It only steers balance: ordering
 * never depends on it, since partitions are held through leases.
 */
export class Membership {
  readonly id = randomBytes(6).toString("hex");
  readonly #transport: Transport;
  readonly #subject: string;
  readonly #heartbeatMs: number;
  readonly #onChange: () => void;
  readonly #members = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #unlisten: (() => void) | undefined;

  constructor(transport: Transport, subject: string, heartbeatMs: number, onChange: () => void) {
    this.#transport = transport;
    this.#subject = subject;
    this.#heartbeatMs = heartbeatMs;
    this.#onChange = onChange;
  }

  /** Number of live replicas, this one included. */
  count(): number {
    return this.#members.size + 1;
  }

  start(): void {
    this.#unlisten = this.#transport.listen(this.#subject, (data) => this.#receive(data));
    this.#announce();
    this.#timer = setInterval(() => {
      this.#announce();
      this.#expire();
    }, this.#heartbeatMs);
  }

  /** Stops heartbeating; `leave` tells the others at once instead of letting them time out. */
  stop(leave: boolean): void {
    clearInterval(this.#timer);
    this.#unlisten?.();
    if (leave) this.#send({ id: this.id, bye: true });
    this.#members.clear();
  }

  #announce(): void {
    this.#send({ id: this.id });
  }

  #send(announcement: Announcement): void {
    try {
      this.#transport.broadcast(this.#subject, encoder.encode(JSON.stringify(announcement)));
    } catch {
      // Disconnected: the next heartbeat goes out once the connection is back.
    }
  }

  #receive(data: Uint8Array): void {
    let message: Announcement;
    try {
      message = JSON.parse(decoder.decode(data)) as Announcement;
    } catch {
      return;
    }
    if (typeof message.id !== "string" || message.id === this.id) return;
    if (message.bye) {
      if (this.#members.delete(message.id)) this.#onChange();
      return;
    }
    const known = this.#members.has(message.id);
    this.#members.set(message.id, Date.now());
    if (!known) {
      // Answer a newcomer at once so it learns the group size before its next heartbeat.
      this.#announce();
      this.#onChange();
    }
  }

  #expire(): void {
    const deadline = Date.now() - 3 * this.#heartbeatMs;
    let changed = false;
    for (const [id, seen] of this.#members) {
      if (seen < deadline) {
        this.#members.delete(id);
        changed = true;
      }
    }
    if (changed) this.#onChange();
  }
}
