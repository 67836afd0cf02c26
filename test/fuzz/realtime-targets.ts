/**
 * Every client message type of the realtime protocols as a fuzz target: Socket.IO's (answered by
 * an `INVALID_MESSAGE` ack naming the field), Fluxbase's (an `INVALID_MESSAGE` error frame) and
 * Pusher's (a `pusher:error` 4301). Each is sent on a connection that stays open for the next.
 */
import assert from "node:assert/strict";
import type { Socket } from "socket.io-client";
import type { FluxbaseSocket } from "../compat/fluxbase/fluxbase-socket.ts";
import type { RawPusher } from "../compat/pusher/pusher-support.ts";
import { request } from "../support/socket-calls.ts";
import { assertNamesField, expectedField, type FuzzTarget } from "./fuzz-run.ts";
import type { Path, Poisoned, PoisonKind } from "./hostile.ts";

const json = { a: [1, "x", null], b: { c: "y" } };

const SOCKET_IO_MESSAGES: Record<string, unknown> = {
  subscribe: { collection: "posts", filter: "title = 'x'", events: ["created"], select: ["title"] },
  unsubscribe: { id: "sub-1" },
  auth: { token: "header.payload.signature" },
  "presence:join": { room: "lobby", meta: { name: "x", tags: ["a"] } },
  "presence:leave": { room: "lobby" },
  "broadcast:join": { topic: "chat" },
  "broadcast:leave": { topic: "chat" },
  broadcast: { topic: "chat", payload: json },
};

/** Socket.IO message types, sent on `socket` with an ack. */
export function socketIoTargets(socket: Socket): FuzzTarget[] {
  return Object.entries(SOCKET_IO_MESSAGES).map(([event, template]) => ({
    name: `Socket.IO ${event}`,
    template,
    async send(input) {
      const ack = await request(socket, event, input.value());
      assert.equal(ack.ok, false, `${event} accepted`);
      if (ack.ok) return;
      assert.equal(ack.error.code, "INVALID_MESSAGE", ack.error.message);
      assertNamesField(ack.error.data, input);
    },
  }));
}

// A frame must stay a JSON object (a key may be added to it), and Fluxbase's `type` routes it.
const inFrame = (routing?: string) => (path: Path, kind: PoisonKind) =>
  path.length === 0 ? kind.endsWith("Key") : path[0] !== routing;

// Where a refusal's text names the poison: a key added to the frame itself is named alone.
const namedIn = (input: Poisoned) => (input.path.length === 0 ? "" : expectedField(input));

const FLUXBASE_MESSAGES = [
  {
    type: "subscribe",
    config: { event: "*", schema: "public", table: "posts", filter: "title=eq.x" },
  },
  { type: "subscribe", channel: "room" },
  { type: "unsubscribe", subscription_id: "sub-1", channel: "room" },
  { type: "broadcast", channel: "room", event: "m", payload: json, messageId: "m1" },
  {
    type: "presence",
    channel: "room",
    event: "track",
    payload: { event: "track", key: "k", state: json },
  },
  { type: "access_token", token: "header.payload.signature" },
  { type: "ping" },
  { type: "heartbeat" },
];

/** Fluxbase message types, sent on `socket`; each must be answered with its error frame. */
export function fluxbaseTargets(socket: FluxbaseSocket): FuzzTarget[] {
  return FLUXBASE_MESSAGES.map((template) => ({
    name: `Fluxbase ${template.type}${"config" in template ? " (table)" : ""}`,
    template,
    allowed: inFrame("type"),
    async send(input: Poisoned) {
      socket.ws.send(input.json());
      const frame = await socket.next({ type: "error" });
      assert.equal(frame.code, "INVALID_MESSAGE", JSON.stringify(frame));
      assert.ok(
        String(frame.message).startsWith(`invalid ${template.type} message: ${namedIn(input)}`),
        frame.message,
      );
    },
  }));
}

const PUSHER_FRAMES = [
  {
    event: "pusher:subscribe",
    data: { channel: "private-fuzz", auth: "key:signature", channel_data: "{}" },
  },
  { event: "pusher:unsubscribe", data: { channel: "private-fuzz" } },
  { event: "pusher:ping", data: {} },
  { event: "client-typing", channel: "private-fuzz", data: json },
];

/** Pusher frames, sent on `raw`; each must be answered with `pusher:error` 4301. */
export function pusherTargets(raw: RawPusher): FuzzTarget[] {
  return PUSHER_FRAMES.map((template) => ({
    name: `Pusher ${template.event}`,
    template,
    // `event` and `channel` are read as strings before anything else: other values there are
    // "Invalid message format", which is not what this checks.
    allowed: (path, kind) =>
      path[0] === "event" || path[0] === "channel"
        ? path.length === 1 && (kind === "nul" || kind === "lone")
        : inFrame()(path, kind),
    async send(input: Poisoned) {
      const seen = raw.frames.length;
      raw.sendRaw(input.json());
      const frame = await raw.next(
        (f) => raw.frames.indexOf(f) >= seen && f.event === "pusher:error",
      );
      assert.equal(frame.data.code, 4301, JSON.stringify(frame.data));
      assert.ok(
        String(frame.data.message).startsWith(`Invalid message: ${namedIn(input)}`),
        frame.data.message,
      );
    },
  }));
}
