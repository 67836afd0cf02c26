import type { GatewayServer } from "../realtime/socket-types.ts";

/** Receives what the Socket.IO adapter delivers to a virtual connection: an event and its payload. */
export type VirtualListener = (event: string, payload: unknown) => void;

interface RoomsAdapter {
  addAll(id: string, rooms: Set<string>): Promise<void> | void;
  del(id: string, room: string): Promise<void> | void;
  delAll(id: string): void;
}

/**
 * A member of Socket.IO rooms that is not a Socket.IO client: a connection of a compatibility
 * protocol (PocketBase SSE, Pusher, Fluxbase, FastSchema). It sits in the namespace like a socket,
 * so the adapter delivers room messages to it — including those relayed from other nodes through
 * Redis, decoded once per node — and `except` (writer exclusion) works on its id. The adapter
 * hands it the decoded packet through `notifyOutgoingListeners`; there is no engine to write to.
 */
export class VirtualConnection {
  readonly id: string;
  readonly rooms = new Set<string>();
  connected = true;
  /** What Socket.IO's adapter calls to write pre-encoded packets; a virtual connection has no wire. */
  readonly client = { writeToEngine() {} };
  readonly data: Record<string, unknown> = {};
  /** The protocol it speaks (`pocketbase`, `pusher`, …), for the metrics by transport. */
  readonly transport: string;
  /** How many subscriptions it holds now, for the metrics. */
  readonly subscriptionCount: () => number;
  readonly #io: GatewayServer;
  readonly #listener: VirtualListener;

  constructor(
    io: GatewayServer,
    id: string,
    listener: VirtualListener,
    about: { transport: string; subscriptionCount: () => number },
  ) {
    this.#io = io;
    this.id = id;
    this.#listener = listener;
    this.transport = about.transport;
    this.subscriptionCount = about.subscriptionCount;
  }

  get #adapter(): RoomsAdapter {
    return this.#io.of("/").adapter as unknown as RoomsAdapter;
  }

  get #sockets(): Map<string, unknown> {
    return this.#io.of("/").sockets as unknown as Map<string, unknown>;
  }

  /** Enters the namespace and the room of its own id (what `except` names). */
  async attach(): Promise<void> {
    this.#sockets.set(this.id, this);
    await this.#adapter.addAll(this.id, new Set([this.id]));
  }

  /** Called by the adapter for every packet broadcast to a room this connection is in. */
  notifyOutgoingListeners(packet: { data?: unknown }): void {
    if (!Array.isArray(packet.data) || typeof packet.data[0] !== "string") return;
    this.#listener(packet.data[0], packet.data[1]);
  }

  async join(room: string): Promise<void> {
    if (!this.connected) return;
    this.rooms.add(room);
    await this.#adapter.addAll(this.id, new Set([room]));
  }

  async leave(room: string): Promise<void> {
    this.rooms.delete(room);
    await this.#adapter.del(this.id, room);
  }

  /** Leaves every room and the namespace. */
  close(): void {
    if (!this.connected) return;
    this.connected = false;
    this.rooms.clear();
    this.#adapter.delAll(this.id);
    this.#sockets.delete(this.id);
  }

  /** What the adapter calls when asked to disconnect sockets (e.g. `io.disconnectSockets()`). */
  disconnect(): void {
    this.close();
  }
}

/** True for a real Socket.IO socket, false for a {@link VirtualConnection}. */
export function isRealSocket(socket: unknown): boolean {
  return !(socket instanceof VirtualConnection);
}
