import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../support/cluster.ts";
import { pause } from "../../support/socket-calls.ts";
import {
  APP_KEY,
  APP_SECRET,
  connectEcho,
  connected,
  RawPusher,
  startPusherCluster,
  startRecordingProxy,
} from "./pusher-support.ts";

const hmac = (subject: string) => createHmac("sha256", APP_SECRET).update(subject).digest("hex");

// biome-ignore lint/suspicious/noExplicitAny: subscription callbacks receive arbitrary data
const once = <T = any>(bind: (cb: (value: T) => void) => void) =>
  new Promise<T>((resolve) => bind(resolve));

describe("pusher channels and their authorization", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startPusherCluster();
  });
  afterAll(() => cluster[Symbol.asyncDispose]());

  it("a public channel - subscribed() fires without authorization", async () => {
    const { echo, pusher } = connectEcho(cluster.nodes[0]!.url);
    await once((cb) => echo.channel("news").subscribed(cb));
    expect(pusher.channel("news")?.subscribed).toBe(true);
    echo.disconnect();
  });

  it("a private channel - Echo posts the form with the bearer token and gets an HMAC the app secret verifies", async () => {
    const { token } = await cluster.user();
    await using proxy = await startRecordingProxy(cluster.nodes[0]!.url);
    const { echo } = connectEcho(cluster.nodes[0]!.url, {
      token,
      authEndpoint: `${proxy.url}/broadcasting/auth`,
    });
    await once((cb) => echo.private("orders").subscribed(cb));
    const [request] = proxy.requests;
    expect(request).toMatchObject({
      path: "/broadcasting/auth",
      contentType: "application/x-www-form-urlencoded",
      authorization: `Bearer ${token}`,
      status: 200,
    });
    const form = new URLSearchParams(request!.body);
    expect(form.get("socket_id")).toBe(echo.socketId());
    expect(form.get("channel_name")).toBe("private-orders");
    expect(request!.response).toEqual({
      auth: `${APP_KEY}:${hmac(`${echo.socketId()}:private-orders`)}`,
    });
    echo.disconnect();
  });

  it("the auth endpoint - also at /api/broadcasting/auth with JSON; presence answers carry the user and their key's fingerprint as channel_data", async () => {
    const { token, user } = await cluster.user();
    const answer = await cluster.call("POST", "/api/broadcasting/auth", {
      token,
      body: { socket_id: "12.34", channel_name: "presence-room" },
    });
    expect(answer.status).toBe(200);
    const channelData = answer.body.channel_data as string;
    expect(JSON.parse(channelData)).toEqual({
      user_id: user.id,
      key_fingerprint: expect.stringMatching(/^[\w-]{22}$/),
      user_info: { id: user.id, name: user.name },
    });
    expect(answer.body.auth).toBe(`${APP_KEY}:${hmac(`12.34:presence-room:${channelData}`)}`);
    for (const body of [
      { socket_id: "12.34", channel_name: "private-room" },
      { socket_id: "not-a-socket", channel_name: "presence-room" },
      { socket_id: "12.34", channel_name: "public-room" },
      { socket_id: "12.34", channel_name: "private-encrypted-room" },
    ]) {
      const refused = await cluster.call("POST", "/broadcasting/auth", {
        ...(body.channel_name === "private-room" ? {} : { token }),
        body,
      });
      expect(refused.status, JSON.stringify(body)).toBe(403);
      expect(typeof refused.body.message).toBe("string");
    }
    const badToken = await cluster.call("POST", "/broadcasting/auth", {
      token: "not-a-token",
      body: { socket_id: "12.34", channel_name: "private-room" },
    });
    expect(badToken.status).toBe(403);
  });

  it("auth endpoint 403 - Echo error() gets status 403 and no pusher:subscribe is sent", async () => {
    const { echo, pusher } = connectEcho(cluster.nodes[0]!.url);
    await connected(pusher);
    const sent: string[] = [];
    const send = pusher.send_event.bind(pusher);
    pusher.send_event = (name: string, data: unknown, channel?: string) => {
      sent.push(name);
      return send(name, data, channel);
    };
    const error = await once((cb) => echo.private("orders").error(cb));
    expect(error).toMatchObject({ type: "AuthError", status: 403 });
    await pause(200);
    expect(sent).not.toContain("pusher:subscribe");
    echo.disconnect();
  });

  it("a forged, replayed or missing auth - pusher:subscription_error for that channel and no subscription", async () => {
    const raw = new RawPusher(cluster.nodes[0]!.url);
    const socketId = await raw.socketId();
    const attempts = [
      { channel: "private-a", auth: `${APP_KEY}:${"0".repeat(64)}` },
      { channel: "private-b", auth: `${APP_KEY}:${hmac("1.1:private-b")}` },
      { channel: "private-c" },
      { channel: "private-d", auth: `other-key:${hmac(`${socketId}:private-d`)}` },
      {
        channel: "presence-e",
        auth: `${APP_KEY}:${hmac(`${socketId}:presence-e:{"user_id":"x"}`)}`,
        channel_data: '{"user_id":"y"}',
      },
    ];
    for (const attempt of attempts) raw.send("pusher:subscribe", attempt);
    for (const { channel } of attempts) {
      const error = await raw.next(
        (f) => f.event === "pusher:subscription_error" && f.channel === channel,
      );
      expect(error.data).toMatchObject({ type: "AuthError", status: 401 });
    }
    raw.send("pusher:subscribe", {
      channel: "private-ok",
      auth: `${APP_KEY}:${hmac(`${socketId}:private-ok`)}`,
    });
    await raw.next((f) => f.event === "pusher_internal:subscription_succeeded");
    expect(
      raw.frames
        .filter((f) => f.event === "pusher_internal:subscription_succeeded")
        .map((f) => f.channel),
    ).toEqual(["private-ok"]);
    raw.close();
  });
});
