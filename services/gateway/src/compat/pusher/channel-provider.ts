import type { AuthUser } from "@tidings/auth";
import type { ChangePayload } from "@tidings/protocol";
import type { CompatSession, CompatSubscription } from "../compat-session.ts";

/** A Pusher event to send on a channel; `data` is encoded as a JSON string. */
export interface PusherEvent {
  event: string;
  data: unknown;
}

/**
 * Private channels with a meaning on the server (Velo's `private-velo.realtime.<uuid>`): instead of
 * a broadcast topic, a subscription of the connection's session whose changes become events.
 */
export interface ChannelProvider {
  /** True for the (`private-`) channel names it serves. */
  owns(channel: string): boolean;
  /**
   * At the auth endpoint: throws a `TidingsError` unless `auth` may have the channel signed;
   * answers the `channel_data` to sign with it, if any.
   */
  authorize(channel: string, auth: AuthUser | null): Promise<string | undefined>;
  /**
   * For a connection whose signature checked (`channelData` included): subscribes its session to
   * the channel's changes.
   */
  subscribe(
    session: CompatSession,
    channel: string,
    channelData: string | undefined,
  ): Promise<CompatSubscription>;
  /** The events that deliver a change of such a subscription (none: nothing is sent). */
  events(change: ChangePayload): PusherEvent[];
}
