import type { TokenService } from "@tidings/auth";
import type { ChangePayload } from "@tidings/protocol";
import { TidingsError } from "@tidings/protocol";
import type { Logger } from "@tidings/service";
import { z } from "zod";
import {
  BROADCAST_EVENT,
  type BroadcastMessage,
  type BroadcastService,
} from "../../broadcast/broadcast-service.ts";
import { MAX_META_BYTES } from "../../presence/presence-handlers.ts";
import {
  PRESENCE_EVENTS,
  type PresenceDiff,
  type PresenceService,
} from "../../presence/presence-service.ts";
import type { CompatSession, CompatSubscription } from "../compat-session.ts";
import type { ChannelProvider } from "./channel-provider.ts";
import { verifyChannelSignature } from "./channel-signature.ts";
import { PresenceView } from "./presence-view.ts";
import type { PusherApp } from "./pusher-env.ts";
import {
  channelKind,
  errorFrame,
  frame,
  PUSHER_CODES,
  type PusherChannelKind,
  subscribeData,
} from "./pusher-wire.ts";
import { keyFingerprintField, signedCredential } from "./signed-user.ts";

/** What a connection's channels are served by. */
export interface PusherChannelDeps {
  /** Tells when the users presence channels were signed for have their tokens revoked. */
  tokens: TokenService;
  presence: PresenceService;
  broadcast: BroadcastService;
  providers: readonly ChannelProvider[];
  logger: Logger;
}

type ChannelState =
  | { kind: "topic" }
  | { kind: "presence"; view: PresenceView; userId: string }
  | { kind: "provided"; provider: ChannelProvider; key: string };

/** Why a subscription was refused: `pusher:subscription_error` data. */
class SubscriptionRefused extends Error {
  override readonly name = "SubscriptionRefused";
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const channelData = z.object({
  user_id: z.union([z.string().min(1).max(128), z.number()]).transform(String),
  user_info: z
    .record(z.string(), z.json())
    .refine((info) => Buffer.byteLength(JSON.stringify(info)) <= MAX_META_BYTES)
    .optional(),
  key_fingerprint: keyFingerprintField,
});

/** A relayed client event, as Pusher connections publish it to a broadcast topic. */
const relayedEvent = z.object({
  event: z.string().startsWith("client-"),
  data: z.unknown(),
  user_id: z.string().optional(),
});

function refusal(error: unknown): SubscriptionRefused | undefined {
  if (error instanceof SubscriptionRefused) return error;
  if (!(error instanceof TidingsError)) return undefined;
  const { status, message } = error.toBody();
  return new SubscriptionRefused(
    status === 401 || status === 403 ? "AuthError" : "SubscriptionError",
    message,
    status,
  );
}

/**
 * The channels of one Pusher connection. Public and private channels are broadcast topics (for
 * client events), presence channels are presence rooms (and a topic), and channels a provider owns
 * are subscriptions of the connection's session; all are shared with the rest of the cluster.
 */
export class PusherChannels {
  readonly #deps: PusherChannelDeps;
  readonly #session: CompatSession;
  readonly #app: PusherApp;
  readonly #send: (text: string) => void;
  readonly #channels = new Map<string, ChannelState>();
  readonly #byKey = new Map<string, string>();

  constructor(
    deps: PusherChannelDeps,
    session: CompatSession,
    app: PusherApp,
    send: (text: string) => void,
  ) {
    this.#deps = deps;
    this.#session = session;
    this.#app = app;
    this.#send = send;
  }

  /** The channel's state, if the connection is subscribed to it. */
  kindOf(channel: string): ChannelState["kind"] | undefined {
    return this.#channels.get(channel)?.kind;
  }

  /** The user id of the connection's membership of a presence channel. */
  presenceUser(channel: string): string | undefined {
    const state = this.#channels.get(channel);
    return state?.kind === "presence" ? state.userId : undefined;
  }

  /** `pusher:subscribe`: answers `subscription_succeeded` or `subscription_error`. */
  async subscribe(data: unknown): Promise<void> {
    const parsed = subscribeData.safeParse(data);
    const channel = (data as { channel?: unknown } | undefined)?.channel;
    if (!parsed.success) {
      if (typeof channel === "string")
        this.#refuse(
          channel.slice(0, 200),
          new SubscriptionRefused("InvalidChannel", "Invalid subscribe message.", 400),
        );
      else this.#send(errorFrame(PUSHER_CODES.reconnect, "Invalid message format"));
      return;
    }
    const { channel: name, auth } = parsed.data;
    const existing = this.#channels.get(name);
    if (existing) return this.#succeeded(name, existing);
    const kind = channelKind(name);
    try {
      const state = await this.#join(name, kind, auth, parsed.data.channel_data);
      this.#succeeded(name, state);
    } catch (error) {
      await this.#leave(name).catch(() => {});
      const refused = refusal(error);
      if (!refused) {
        this.#deps.logger.error({ err: error, channel: name }, "pusher: subscribe failed");
        this.#refuse(name, new SubscriptionRefused("ServerError", "Internal error.", 500));
      } else this.#refuse(name, refused);
    }
  }

  async #join(
    name: string,
    kind: PusherChannelKind,
    auth: string | undefined,
    rawChannelData: string | undefined,
  ): Promise<ChannelState> {
    const { presence, broadcast, providers } = this.#deps;
    const connection = this.#session.connection;
    if (kind === "encrypted")
      throw new SubscriptionRefused("AuthError", "Encrypted channels are not supported.", 400);
    // As Reverb checks it: the signature covers the channel data whenever some is sent.
    if (
      kind !== "public" &&
      !verifyChannelSignature(this.#app, auth, this.#session.id, name, rawChannelData)
    )
      throw new SubscriptionRefused("AuthError", `Invalid signature for "${name}".`, 401);
    const provider = kind === "private" ? providers.find((p) => p.owns(name)) : undefined;
    if (provider) {
      const subscription = await provider.subscribe(this.#session, name, rawChannelData);
      return this.#set(name, { kind: "provided", provider, key: subscription.key });
    }
    if (kind !== "presence") {
      await broadcast.join(connection, name);
      return this.#set(name, { kind: "topic" });
    }
    const member = channelData.safeParse(parseJson(rawChannelData));
    if (!member.success) throw new SubscriptionRefused("AuthError", "Invalid channel_data.", 400);
    // The member was signed for a user's token, which this connection never showed: it lasts
    // while the key that token was checked against is the user's.
    const userId = member.data.user_id;
    this.#session.watchUser(
      userId,
      await signedCredential(this.#deps.tokens, userId, member.data.key_fingerprint),
    );
    const state = this.#set(name, { kind: "presence", view: new PresenceView(), userId });
    await broadcast.join(connection, name);
    const { members } = await presence.join(connection, name, {
      userId,
      meta: member.data.user_info ?? {},
    });
    state.view.start(members);
    return state;
  }

  #set<T extends ChannelState>(name: string, state: T): T {
    this.#channels.set(name, state);
    if (state.kind === "provided") this.#byKey.set(state.key, name);
    return state;
  }

  #succeeded(name: string, state: ChannelState): void {
    const data = state.kind === "presence" ? state.view.summary() : {};
    this.#send(frame("pusher_internal:subscription_succeeded", data, name));
  }

  #refuse(name: string, refused: SubscriptionRefused): void {
    this.#send(
      frame(
        "pusher:subscription_error",
        { type: refused.type, error: refused.message, status: refused.status },
        name,
      ),
    );
  }

  /** `pusher:unsubscribe` (no answer, as in Pusher). */
  async unsubscribe(name: string): Promise<void> {
    await this.#leave(name);
  }

  async #leave(name: string): Promise<void> {
    const state = this.#channels.get(name);
    this.#channels.delete(name);
    if (state?.kind === "provided") {
      this.#byKey.delete(state.key);
      await this.#session.unsubscribe(state.key);
      return;
    }
    const connection = this.#session.connection;
    await this.#deps.presence.leave(connection, name);
    await this.#deps.broadcast.leave(connection, name);
  }

  /** A change of one of the session's subscriptions. */
  deliver(subscription: CompatSubscription, change: ChangePayload): void {
    const name = this.#byKey.get(subscription.key);
    const state = name === undefined ? undefined : this.#channels.get(name);
    if (state?.kind !== "provided") return;
    for (const { event, data } of state.provider.events(change))
      this.#send(frame(event, data, name));
  }

  /** Presence diffs and broadcasts of the rooms the connection is in. */
  receive(event: string, payload: unknown): void {
    if (event === PRESENCE_EVENTS.diff) {
      const diff = payload as PresenceDiff;
      const state = this.#channels.get(diff.room);
      if (state?.kind !== "presence") return;
      const { added, removed } = state.view.apply(diff);
      for (const member of added)
        this.#send(frame("pusher_internal:member_added", member, diff.room));
      for (const member of removed)
        this.#send(frame("pusher_internal:member_removed", member, diff.room));
    } else if (event === BROADCAST_EVENT) {
      const { topic, payload: relayed } = payload as BroadcastMessage;
      const state = this.#channels.get(topic);
      const parsed = relayedEvent.safeParse(relayed);
      if (!parsed.success || state === undefined || state.kind === "provided") return;
      const { event: name, data, user_id } = parsed.data;
      this.#send(frame(name, data, topic, user_id === undefined ? undefined : { user_id }));
    }
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
