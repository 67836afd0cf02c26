import { createHmac, timingSafeEqual } from "node:crypto";
import type { PusherApp } from "./pusher-env.ts";

function mac(secret: string, socketId: string, channel: string, channelData?: string): Buffer {
  const subject =
    channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return createHmac("sha256", secret).update(subject).digest();
}

/**
 * The `auth` string of a private or presence channel for one connection:
 * `key:hex(HMAC-SHA256(secret, "socket_id:channel[:channel_data]"))`.
 */
export function signChannel(
  app: PusherApp,
  socketId: string,
  channel: string,
  channelData?: string,
): string {
  return `${app.key}:${mac(app.secret, socketId, channel, channelData).toString("hex")}`;
}

/** True if `auth` is this app's signature of the channel for this connection (constant time). */
export function verifyChannelSignature(
  app: PusherApp,
  auth: string | undefined,
  socketId: string,
  channel: string,
  channelData?: string,
): boolean {
  if (auth === undefined) return false;
  const colon = auth.indexOf(":");
  const signature = auth.slice(colon + 1);
  if (colon < 0 || auth.slice(0, colon) !== app.key || !/^[0-9a-f]{64}$/i.test(signature))
    return false;
  return timingSafeEqual(
    Buffer.from(signature, "hex"),
    mac(app.secret, socketId, channel, channelData),
  );
}
