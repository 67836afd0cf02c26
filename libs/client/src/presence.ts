import type { Connection } from "./connection.ts";
import { Emitter, type EventMap } from "./emitter.ts";
import { isNotFound, type TidingsError } from "./errors.ts";
import {
  type PresenceDiff,
  type PresenceMember,
  type PresenceState,
  SERVER_EVENT,
} from "./wire.ts";

/** Events of a presence room. */
export interface PresenceEvents<M> extends EventMap {
  /** The member list changed; the full list. */
  sync: [PresenceMember<M>[]];
  /** A member came, or changed its meta. */
  join: [PresenceMember<M>];
  leave: [PresenceMember<M>];
  /** Joining again after a reconnection was refused. */
  error: [TidingsError];
}

/**
 * Who is in a presence room, kept current. `join(meta)` enters it (and, called again, changes the
 * meta); the room is joined again, with the same meta, after every reconnection.
 */
export class PresenceRoom<M = Record<string, unknown>> extends Emitter<PresenceEvents<M>> {
  readonly name: string;
  readonly #connection: Connection;
  readonly #members = new Map<string, PresenceMember<M>>();
  #meta: M | undefined;
  #joined = false;

  constructor(name: string, connection: Connection) {
    super();
    this.name = name;
    this.#connection = connection;
  }

  /** Everyone in the room, this client included once joined. */
  get members(): PresenceMember<M>[] {
    return [...this.#members.values()];
  }

  get joined(): boolean {
    return this.#joined;
  }

  /** Enters the room with `meta` (or updates it); resolves to this client's member. */
  async join(meta: M = {} as M): Promise<PresenceMember<M>> {
    await this.#connection.whenOpen();
    const member = await this.#send(meta);
    this.#joined = true;
    return member;
  }

  /** Leaves the room; the member list empties. */
  async leave(): Promise<void> {
    this.#joined = false;
    this.#meta = undefined;
    this.#replace([]);
    if (!this.#connection.socket.connected) return;
    try {
      await this.#connection.request("presence:leave", { room: this.name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** @internal After a reconnection. */
  rejoin(): void {
    if (!this.#joined) return;
    this.#send(this.#meta as M).catch((error: TidingsError) => {
      this.#joined = false;
      this.#replace([]);
      this.emit("error", error);
    });
  }

  /** @internal `presence:state`: everyone, now. */
  state({ members }: PresenceState): void {
    this.#replace(members as PresenceMember<M>[]);
  }

  /** @internal `presence`: who came and went. */
  diff({ joins, leaves }: PresenceDiff): void {
    for (const member of leaves as PresenceMember<M>[]) {
      if (!this.#members.delete(member.id)) continue;
      this.emit("leave", member);
    }
    for (const member of joins as PresenceMember<M>[]) {
      this.#members.set(member.id, member);
      this.emit("join", member);
    }
    if (joins.length + leaves.length > 0) this.emit("sync", this.members);
  }

  async #send(meta: M): Promise<PresenceMember<M>> {
    this.#meta = meta;
    const ack = await this.#connection.request<{ member: PresenceMember<M> }>("presence:join", {
      room: this.name,
      meta,
    });
    return ack.member;
  }

  #replace(members: PresenceMember<M>[]): void {
    const next = new Map(members.map((member) => [member.id, member]));
    const left = [...this.#members.values()].filter((member) => !next.has(member.id));
    const came = members.filter(
      (member) => JSON.stringify(this.#members.get(member.id)) !== JSON.stringify(member),
    );
    this.#members.clear();
    for (const [id, member] of next) this.#members.set(id, member);
    for (const member of left) this.emit("leave", member);
    for (const member of came) this.emit("join", member);
    if (left.length + came.length > 0) this.emit("sync", this.members);
  }
}

/** The presence rooms of a client: routes server events to them and rejoins after reconnecting. */
export class PresenceRooms {
  // biome-ignore lint/suspicious/noExplicitAny: rooms with different meta types share one table
  readonly #rooms = new Map<string, PresenceRoom<any>>();
  readonly #connection: Connection;

  constructor(connection: Connection) {
    this.#connection = connection;
    connection.socket.on(SERVER_EVENT.presenceState, (state: PresenceState) =>
      this.#rooms.get(state.room)?.state(state),
    );
    connection.socket.on(SERVER_EVENT.presence, (diff: PresenceDiff) =>
      this.#rooms.get(diff.room)?.diff(diff),
    );
    connection.on("open", () => {
      for (const room of this.#rooms.values()) room.rejoin();
    });
  }

  /** The room named `name` (one object per name). */
  get<M>(name: string): PresenceRoom<M> {
    let room = this.#rooms.get(name);
    if (!room) {
      room = new PresenceRoom<M>(name, this.#connection);
      this.#rooms.set(name, room);
    }
    return room;
  }
}
