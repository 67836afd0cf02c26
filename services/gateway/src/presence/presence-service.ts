import { TidingsError } from "@tidings/protocol";
import { countRefusal, type Logger, type RedisClient } from "@tidings/service";
import type { GatewayServer, GatewaySocket } from "../realtime/socket-types.ts";
import {
  CHANNEL_NAME,
  channelRoom,
  countChannels,
  joinRoom,
  type RoomConnection,
} from "./channels.ts";
import { MemoryPresenceStore } from "./memory-presence-store.ts";
import type { MemberKey, PresenceMember, PresenceMeta, PresenceStore } from "./presence-store.ts";
import { RedisPresenceStore } from "./redis-presence-store.ts";

/** Server → client presence events. */
export const PRESENCE_EVENTS = {
  /** To a joiner: `{room, members}`, every current member, itself included. */
  state: "presence:state",
  /** To the other members: `{room, joins, leaves}`. */
  diff: "presence",
} as const;

/** The `presence` event: who joined (or changed their meta) and who left a room. */
export interface PresenceDiff {
  room: string;
  joins: PresenceMember[];
  leaves: PresenceMember[];
}

/** What the presence service is built from. */
export interface PresenceDeps {
  io: GatewayServer;
  /** Shared state of the cluster; undefined in single-node mode (presence is kept in memory). */
  redis: RedisClient | undefined;
  /** Resolves once rooms joined so far receive messages from every node. */
  roomsReady(): Promise<void>;
  logger: Logger;
}

/** Presence settings. */
export interface PresenceOptions {
  /**
   * How long a membership outlives its node's last refresh: a node that dies takes its members
   * with it within this time (plus a sweep interval). Nodes refresh and sweep every third of it.
   * @default 15_000
   */
  memberTtlMs?: number;
  /** Presence rooms one connection may be in; beyond is `LIMIT_EXCEEDED`. @default 50 */
  maxRoomsPerConnection?: number;
  /** Prefix of the Redis keys (`TIDINGS_REDIS_PREFIX`). @default "tidings" */
  redisPrefix?: string;
}

/**
 * Presence rooms of the cluster. Events go through Socket.IO rooms, so members see each other
 * whichever node, and whichever protocol (through virtual sockets in the same rooms), they use.
 */
export interface PresenceService {
  /**
   * Joins (or, for a member already in, updates the meta of) a connection in a room; the other
   * members get a `presence` join. Resolves to the member and the room's members, itself included.
   * `LIMIT_EXCEEDED` past the per-connection limit. Access is the caller's to check.
   */
  join(
    connection: RoomConnection,
    room: string,
    who: { userId: string | null; meta: PresenceMeta },
  ): Promise<{ member: PresenceMember; members: PresenceMember[] }>;
  /** Leaves a room; the others get a `presence` leave. False if the connection was not in it. */
  leave(connection: RoomConnection, room: string): Promise<boolean>;
  /** Forgets every membership of a connection that closed (its transport has left its rooms). */
  leaveAll(connectionId: string): Promise<void>;
  /** The room's current members across the cluster. */
  members(room: string): Promise<PresenceMember[]>;
  /** Starts refreshing this node's memberships and sweeping expired ones. */
  start(): void;
  /** Stops both; memberships still held then expire and are swept by the other nodes. */
  stop(): void;
}

const SWEEP_BATCH = 500;

function assertRoomName(room: string): void {
  if (!CHANNEL_NAME.test(room))
    throw new TidingsError("INVALID_MESSAGE", `"${room.slice(0, 64)}" is not a valid room name.`);
}

/**
 * The presence service of a node: Redis-backed when `deps.redis` is set, in memory otherwise. It
 * removes the memberships of Socket.IO sockets of `deps.io` when they disconnect; compatibility
 * protocols call {@link PresenceService.leaveAll} for theirs.
 */
export function createPresenceService(
  deps: PresenceDeps,
  options: PresenceOptions = {},
): PresenceService {
  const { io, logger } = deps;
  const ttlMs = options.memberTtlMs ?? 15_000;
  const maxRooms = options.maxRoomsPerConnection ?? 50;
  const store: PresenceStore = deps.redis
    ? new RedisPresenceStore(deps.redis, { prefix: options.redisPrefix })
    : new MemoryPresenceStore();
  // This node's memberships: connection id → room → member.
  const local = new Map<string, Map<string, PresenceMember>>();
  let timers: NodeJS.Timeout[] = [];

  const announce = (room: string, diff: Omit<PresenceDiff, "room">, except?: string) => {
    const target = io.to(channelRoom("presence", room));
    (except ? target.except(except) : target).emit(PRESENCE_EVENTS.diff, { room, ...diff });
  };
  const remove = async (room: string, member: PresenceMember) => {
    if (await store.leave(room, member.id))
      announce(room, { joins: [], leaves: [member] }, member.id);
  };

  // A membership swept while its node still lives (it missed refreshes) is restored and announced.
  async function refresh(): Promise<void> {
    const keys: MemberKey[] = [];
    for (const [id, rooms] of local) for (const room of rooms.keys()) keys.push({ room, id });
    if (keys.length === 0) return;
    for (const { room, id } of await store.refresh(keys, ttlMs)) {
      const member = local.get(id)?.get(room);
      if (!member) continue;
      logger.warn({ room, connectionId: id }, "presence: restoring a membership that expired");
      await store.join(room, member, ttlMs);
      announce(room, { joins: [member], leaves: [] }, id);
    }
  }

  async function sweep(): Promise<void> {
    for (;;) {
      const swept = await store.sweep(SWEEP_BATCH);
      const byRoom = new Map<string, PresenceMember[]>();
      for (const { room, member } of swept) byRoom.set(room, [...(byRoom.get(room) ?? []), member]);
      for (const [room, leaves] of byRoom) announce(room, { joins: [], leaves });
      if (swept.length < SWEEP_BATCH) return;
    }
  }

  const service: PresenceService = {
    async join(connection, room, who) {
      assertRoomName(room);
      const previous = local.get(connection.id)?.get(room);
      if (!previous && countChannels(connection, "presence") >= maxRooms) {
        countRefusal("presence_rooms");
        throw new TidingsError(
          "LIMIT_EXCEEDED",
          `At most ${maxRooms} presence rooms per connection.`,
        );
      }
      await joinRoom(connection, channelRoom("presence", room));
      await deps.roomsReady();
      const member: PresenceMember = {
        id: connection.id,
        userId: who.userId,
        meta: who.meta,
        joinedAt: previous?.joinedAt ?? new Date().toISOString(),
      };
      const members = await store.join(room, member, ttlMs);
      // Closed while joining: its leaveAll has run already, without this room.
      if (!connection.connected) {
        await remove(room, member);
        throw new TidingsError("UNAVAILABLE", "The connection has closed.");
      }
      let rooms = local.get(connection.id);
      if (!rooms) {
        rooms = new Map();
        local.set(connection.id, rooms);
      }
      rooms.set(room, member);
      announce(room, { joins: [member], leaves: [] }, connection.id);
      return { member, members };
    },
    async leave(connection, room) {
      const rooms = local.get(connection.id);
      const member = rooms?.get(room);
      if (!rooms || !member) return false;
      rooms.delete(room);
      if (rooms.size === 0) local.delete(connection.id);
      await connection.leave(channelRoom("presence", room));
      await remove(room, member);
      return true;
    },
    async leaveAll(connectionId) {
      const rooms = local.get(connectionId);
      if (!rooms) return;
      local.delete(connectionId);
      await Promise.all([...rooms].map(([room, member]) => remove(room, member)));
    },
    async members(room) {
      assertRoomName(room);
      return store.members(room);
    },
    start() {
      const every = (task: () => Promise<void>, what: string) => {
        let running = false;
        const timer = setInterval(
          () => {
            if (running) return;
            running = true;
            task()
              .catch((error) => logger.warn({ err: error }, `presence: ${what} failed`))
              .finally(() => {
                running = false;
              });
          },
          Math.max(50, Math.floor(ttlMs / 3)),
        );
        return timer.unref();
      };
      timers = [every(refresh, "refresh"), every(sweep, "sweep")];
    },
    stop() {
      for (const timer of timers) clearInterval(timer);
      timers = [];
    },
  };

  io.on("connection", (socket: GatewaySocket) => {
    socket.on("disconnect", () => {
      service
        .leaveAll(socket.id)
        .catch((error) => logger.warn({ err: error }, "presence: could not leave on disconnect"));
    });
  });
  return service;
}
