import Pusher from "pusher-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { pause } from "../../support/socket-calls.ts";
import { connectEcho, connected, RawPusher, startPusherCluster } from "./pusher-support.ts";

describe("pusher protocol 7 - connection", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startPusherCluster();
  });
  afterAll(() => cluster[Symbol.asyncDispose]());

  it("connect - Echo reaches connected with a Pusher socket id; the handshake data is a JSON string", async () => {
    const { echo, pusher } = connectEcho(cluster.nodes[0]!.url);
    await connected(pusher);
    expect(echo.socketId()).toMatch(/^\d+\.\d+$/);
    const raw = new RawPusher(cluster.nodes[0]!.url);
    await raw.socketId();
    const established = raw.frames[0]!;
    expect(typeof established.rawData).toBe("string");
    expect(established.data.activity_timeout).toBe(30);
    expect(established.data.socket_id).not.toBe(echo.socketId());
    echo.disconnect();
    raw.close();
  });

  it("a wrong app key - pusher:error 4001, close 4001, and pusher-js does not retry", async () => {
    const raw = new RawPusher(cluster.nodes[0]!.url, "/app/nope?protocol=7");
    const error = await raw.next((f) => f.event === "pusher:error");
    expect(error.data).toEqual({ code: 4001, message: "Application does not exist" });
    expect((await raw.closed).code).toBe(4001);

    const states: string[] = [];
    const url = new URL(cluster.nodes[0]!.url);
    const pusher = new Pusher("nope", {
      cluster: "mt1",
      wsHost: url.hostname,
      wsPort: Number(url.port),
      forceTLS: false,
      enabledTransports: ["ws"],
      disableStats: true,
    });
    pusher.connection.bind("state_change", ({ current }: { current: string }) =>
      states.push(current),
    );
    await new Promise<void>((resolve) => pusher.connection.bind("disconnected", () => resolve()));
    expect(states.at(-1)).toBe("disconnected");
    states.length = 0;
    await pause(3_000);
    expect(states).toEqual([]);
    expect(pusher.connection.state).toBe("disconnected");
    pusher.disconnect();
  });

  it("protocol versions - missing 4008, malformed 4006, unsupported 4007", async () => {
    const node = cluster.nodes[0]!.url;
    const cases = [
      ["/app/tidings-test-key", 4008],
      ["/app/tidings-test-key?protocol=seven", 4006],
      ["/app/tidings-test-key?protocol=6", 4007],
    ] as const;
    for (const [path, code] of cases) {
      const raw = new RawPusher(node, path);
      expect((await raw.next((f) => f.event === "pusher:error")).data.code).toBe(code);
      expect((await raw.closed).code).toBe(code);
    }
  });

  it("ping - pusher:ping is answered with pusher:pong; garbage gets a pusher:error and the connection stays", async () => {
    const raw = new RawPusher(cluster.nodes[0]!.url);
    await raw.socketId();
    raw.send("pusher:ping", {});
    await raw.next((f) => f.event === "pusher:pong");
    raw.sendRaw("{not json");
    expect((await raw.next((f) => f.event === "pusher:error")).data.code).toBe(4200);
    raw.send("pusher:subscribe", { channel: "bad name!" });
    expect((await raw.next((f) => f.event === "pusher:subscription_error")).data).toMatchObject({
      status: 400,
    });
    raw.close();
  });
});

describe("pusher protocol 7 - off", () => {
  it("without TIDINGS_PUSHER_APPS every key is unknown and the auth endpoint signs nothing", async () => {
    await using cluster = await startCluster();
    const raw = new RawPusher(cluster.nodes[0]!.url);
    expect((await raw.closed).code).toBe(4001);
    const answer = await cluster.call("POST", "/broadcasting/auth", {
      token: cluster.superuser.token,
      body: { socket_id: "1.2", channel_name: "private-x" },
    });
    expect(answer.status).toBe(403);
  });
});
