import { z } from "zod";
import { CHANNEL_NAME } from "../../presence/channels.ts";

/**
 * Close codes and `pusher:error` codes of protocol 7. pusher-js reads the range: 4000–4099 refused
 * (no retry), 4100–4199 back off, 4200–4299 reconnect at once.
 */
export const PUSHER_CODES = {
  appNotFound: 4001,
  invalidVersion: 4006,
  unsupportedVersion: 4007,
  noVersion: 4008,
  /** As a `pusher:error`: the connection is not in the channel it sent to. */
  notMember: 4009,
  /** As a close: a sign-in the connection's channels were authorized for was revoked (no retry). */
  unauthorized: 4009,
  overCapacity: 4100,
  reconnect: 4200,
  pongTimeout: 4201,
  /** As a `pusher:error`: a client event (or any message) refused. */
  rejected: 4301,
} as const;

/** The protocol version this server speaks. */
export const PROTOCOL_VERSION = 7;

/** Channel kinds by name prefix, as pusher-js tells them apart. */
export type PusherChannelKind = "public" | "private" | "presence" | "encrypted";

/** The kind of a channel by its prefix. */
export function channelKind(channel: string): PusherChannelKind {
  if (channel.startsWith("private-encrypted-")) return "encrypted";
  if (channel.startsWith("private-")) return "private";
  if (channel.startsWith("presence-")) return "presence";
  return "public";
}

/** Pusher channel names (the gateway's room names, which add only `:`). */
export const pusherChannel = z.string().regex(CHANNEL_NAME, "1-164 letters, digits or _-=@,.;:");

/** A socket id as Pusher and Laravel's server SDKs expect it. */
export const socketIdSchema = z.string().regex(/^\d{1,20}\.\d{1,20}$/, "digits.digits");

/** A server → client frame; `data` travels as a JSON string, as Pusher servers send it. */
export function frame(
  event: string,
  data?: unknown,
  channel?: string,
  extra?: Record<string, unknown>,
): string {
  return JSON.stringify({
    event,
    ...(channel === undefined ? {} : { channel }),
    ...(data === undefined ? {} : { data: JSON.stringify(data) }),
    ...extra,
  });
}

/** The `pusher:error` frame. */
export function errorFrame(code: number, message: string): string {
  return frame("pusher:error", { code, message });
}

/** A client → server frame. */
export interface ClientFrame {
  event: string;
  channel?: string | undefined;
  data?: unknown;
}

// Loose: fields Pusher does not define are kept (and ignored), so the input check sees them.
const clientFrame = z.looseObject({
  event: z.string().min(1).max(200),
  channel: z.string().optional(),
  data: z.unknown().optional(),
});

/** Decodes a client frame; `data` may come as an object or as a JSON string. Undefined if malformed. */
export function parseClientFrame(text: string): ClientFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = clientFrame.safeParse(value);
  if (!parsed.success) return undefined;
  const { data } = parsed.data;
  if (typeof data === "string" && parsed.data.event.startsWith("pusher:")) {
    try {
      return { ...parsed.data, data: JSON.parse(data) };
    } catch {
      return parsed.data;
    }
  }
  return parsed.data;
}

/** `pusher:subscribe` data. */
export const subscribeData = z.object({
  channel: pusherChannel,
  auth: z.string().max(300).optional(),
  channel_data: z.string().max(4_096).optional(),
});

/** `pusher:unsubscribe` data. */
export const unsubscribeData = z.object({ channel: pusherChannel });
