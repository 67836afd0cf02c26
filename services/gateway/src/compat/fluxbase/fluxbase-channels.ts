import {
  BROADCAST_EVENT,
  type BroadcastMessage,
  type BroadcastService,
} from "../../broadcast/broadcast-service.ts";
import type { ChannelAccess } from "../../presence/channel-access.ts";
import { CHANNEL_NAME, channelRoom, type RoomConnection } from "../../presence/channels.ts";
import { MAX_META_BYTES } from "../../presence/presence-handlers.ts";
import {
  PRESENCE_EVENTS,
  type PresenceDiff,
  type PresenceService,
} from "../../presence/presence-service.ts";
import type { CompatSession } from "../compat-session.ts";
import type { MessageOf } from "./fluxbase-messages.ts";
import {
  type PresenceEvent,
  PresenceRoomView,
  type PresenceState,
  trackedMeta,
} from "./fluxbase-presence.ts";
import { FluxbaseRefusal, type ServerMessage } from "./fluxbase-wire.ts";

/** What channels are built on. */
export interface ChannelDeps {
  presence: PresenceService;
  broadcast: BroadcastService;
  access: ChannelAccess;
  roomsReady(): Promise<void>;
}

interface Channel {
  view: PresenceRoomView;
  /** The key this connection tracks here, if it does. */
  tracked: string | undefined;
}

/**
 * A connection's presence and broadcast channels. A Fluxbase channel that is not a table is both
 * the broadcast topic and the presence room of that name: subscribing, broadcasting or tracking
 * joins both, so the client hears the channel's broadcasts (its own included, as Fluxbase echoes
 * them) and presence events, and members of other protocols in the same room or topic.
 */
export class FluxbaseChannels {
  readonly #session: CompatSession;
  readonly #deps: ChannelDeps;
  readonly #channels = new Map<string, Channel>();
  // The connection as the presence service sees it: joined to the rooms of every channel it hears,
  // but counted (and left) as a member only where it tracks.
  readonly #member: RoomConnection;

  constructor(session: CompatSession, deps: ChannelDeps) {
    this.#session = session;
    this.#deps = deps;
    const connection = session.connection;
    const prefix = channelRoom("presence", "");
    const channelOf = (room: string) =>
      room.startsWith(prefix) ? this.#channels.get(room.slice(prefix.length)) : undefined;
    this.#member = {
      get id() {
        return connection.id;
      },
      get connected() {
        return connection.connected;
      },
      get rooms() {
        // Rooms of channels heard but not tracked are not presence memberships.
        return new Set(
          [...connection.rooms].filter((room) => {
            const channel = channelOf(room);
            return channel === undefined || channel.tracked !== undefined;
          }),
        );
      },
      join: (room) => connection.join(room),
      leave: async (room) => {
        if (channelOf(room) === undefined) await connection.leave(room);
      },
    };
  }

  /** True when the connection hears `name`. */
  has(name: string): boolean {
    return this.#channels.has(name);
  }

  /** `subscribe` on a channel that is no table: ack, then the room's presence as a `sync`. */
  async subscribe(name: string): Promise<ServerMessage[]> {
    const channel = await this.#join(name);
    return [
      {
        type: "ack",
        channel: name,
        status: "subscribed",
        payload: { subscribed: true, channel: name },
      },
      this.#presenceMessage(name, { event: "sync", currentPresences: channel.view.current() }),
    ];
  }

  /** Stops hearing a channel, untracking there first. */
  async leave(name: string): Promise<ServerMessage> {
    const channel = this.#channels.get(name);
    this.#channels.delete(name);
    const connection = this.#session.connection;
    if (channel?.tracked !== undefined) await this.#deps.presence.leave(this.#member, name);
    await connection.leave(channelRoom("presence", name));
    await this.#deps.broadcast.leave(connection, name);
    return { type: "ack", channel: name, payload: { unsubscribed: true } };
  }

  /** `broadcast`: to every connection on the channel, the sender included; acked when asked. */
  async broadcast(message: MessageOf<"broadcast">): Promise<ServerMessage[]> {
    const name = requireChannel(message.channel, "broadcast");
    await this.#join(name);
    this.#deps.broadcast.publish({
      topic: name,
      payload: { event: message.event ?? "", payload: message.payload ?? null },
      from: { id: this.#session.id, userId: this.#session.auth?.id ?? null },
    });
    const messageId = message.messageId;
    if (!messageId) return [];
    return [
      { type: "ack", channel: name, messageId, status: "ok", payload: { messageId, status: "ok" } },
    ];
  }

  /** `presence`: `track` (join, or `sync` when tracked again) and `untrack` (leave). */
  async presence(message: MessageOf<"presence">): Promise<ServerMessage[]> {
    const name = requireChannel(message.channel, "presence");
    const event = message.payload?.event ?? message.event;
    const key = message.payload?.key;
    if (event !== "track" && event !== "untrack")
      throw new FluxbaseRefusal("INVALID_MESSAGE", "unknown presence event");
    if (!key) throw new FluxbaseRefusal("INVALID_MESSAGE", `key is required for presence ${event}`);
    const channel = await this.#join(name);
    if (event === "untrack") {
      if (channel.tracked !== key) return [];
      const member = { id: this.#session.id, meta: {}, userId: null, joinedAt: "" };
      channel.tracked = undefined;
      await this.#deps.presence.leave(this.#member, name);
      return this.#presenceMessages(name, channel.view.apply({ joins: [], leaves: [member] }));
    }
    const meta = trackedMeta(key, (message.payload?.state ?? {}) as PresenceState);
    if (Buffer.byteLength(JSON.stringify(meta)) > MAX_META_BYTES)
      throw new FluxbaseRefusal("INVALID_MESSAGE", `state exceeds ${MAX_META_BYTES} bytes`);
    const { member } = await this.#deps.presence.join(this.#member, name, {
      userId: this.#session.auth?.id ?? null,
      meta,
    });
    channel.tracked = key;
    // The others hear of it from the presence service; Fluxbase tells the tracker too.
    return this.#presenceMessages(name, channel.view.apply({ joins: [member], leaves: [] }));
  }

  /** Room events the connection receives: presence diffs and broadcasts of its channels. */
  receive(event: string, payload: unknown): ServerMessage[] {
    if (event === PRESENCE_EVENTS.diff) {
      const diff = payload as PresenceDiff;
      const channel = this.#channels.get(diff.room);
      return channel ? this.#presenceMessages(diff.room, channel.view.apply(diff)) : [];
    }
    if (event === BROADCAST_EVENT) {
      const { topic, payload: sent } = payload as BroadcastMessage;
      if (!this.#channels.has(topic)) return [];
      return [
        { type: "broadcast", channel: topic, payload: { broadcast: fluxbaseBroadcast(sent) } },
      ];
    }
    return [];
  }

  /** The connection closed (its session has left the rooms): its memberships go. */
  async close(): Promise<void> {
    this.#channels.clear();
    await this.#deps.presence.leaveAll(this.#session.id);
  }

  async #join(name: string): Promise<Channel> {
    const known = this.#channels.get(name);
    if (known) return known;
    if (!CHANNEL_NAME.test(name))
      throw new FluxbaseRefusal("INVALID_CHANNEL", `invalid channel "${name.slice(0, 64)}"`);
    const auth = this.#session.auth;
    await this.#deps.access("broadcast", name, auth);
    await this.#deps.access("presence", name, auth);
    const channel: Channel = { view: new PresenceRoomView(), tracked: undefined };
    this.#channels.set(name, channel);
    const connection = this.#session.connection;
    try {
      await connection.join(channelRoom("presence", name));
      await this.#deps.broadcast.join(connection, name);
      channel.view.reset(await this.#deps.presence.members(name));
    } catch (error) {
      if (this.#channels.get(name) === channel) await this.leave(name).catch(() => {});
      throw error;
    }
    return channel;
  }

  #presenceMessages(name: string, events: PresenceEvent[]): ServerMessage[] {
    return events.map((event) => this.#presenceMessage(name, event));
  }

  #presenceMessage(name: string, presence: PresenceEvent): ServerMessage {
    return { type: "presence", channel: name, payload: { presence } };
  }
}

function requireChannel(channel: string | null | undefined, what: string): string {
  if (!channel) throw new FluxbaseRefusal("INVALID_CHANNEL", `channel is required for ${what}`);
  return channel;
}

/**
 * A broadcast as Fluxbase delivers it. Fluxbase clients send `{event, payload}`; from other
 * protocols, an object with a string `event` keeps it (its `payload`, or Pusher's `data`), and
 * anything else arrives whole as the payload of the event `broadcast`.
 */
function fluxbaseBroadcast(sent: unknown): { event: unknown; payload: unknown } {
  if (typeof sent === "object" && sent !== null && !Array.isArray(sent)) {
    const object = sent as Record<string, unknown>;
    if (typeof object.event === "string")
      return { event: object.event, payload: "payload" in object ? object.payload : object.data };
  }
  return { event: "broadcast", payload: sent };
}
