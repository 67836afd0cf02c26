import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../support/cluster.ts";
import { eventually, pause } from "../../support/socket-calls.ts";
import { startSwitchProxy } from "../../support/switch-proxy.ts";
import {
  connectEcho,
  connected,
  disconnectEchos,
  RawPusher,
  startPusherCluster,
} from "./pusher-support.ts";

describe("pusher heartbeat and reconnect", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startPusherCluster({
      nodes: 2,
      env: { TIDINGS_PUSHER_ACTIVITY_TIMEOUT: "1" },
    });
    await cluster.collection({
      name: "notes",
      fields: [{ name: "text", type: "text" }],
      listRule: "",
      viewRule: "",
      createRule: "",
    });
  });
  afterEach(disconnectEchos);
  afterAll(() => cluster[Symbol.asyncDispose]());

  it("heartbeat - with activity_timeout 1 the client pings, the server pongs, and the connection stays up", async () => {
    const { echo, pusher } = connectEcho(cluster.nodes[0]!.url);
    await connected(pusher);
    const socketId = echo.socketId();
    const states: string[] = [];
    const pongs: number[] = [];
    pusher.connection.bind("state_change", ({ current }: { current: string }) =>
      states.push(current),
    );
    pusher.connection.bind("message", ({ event }: { event: string }) => {
      if (event === "pusher:pong") pongs.push(Date.now());
    });
    await pause(5_000);
    expect(pongs.length).toBeGreaterThanOrEqual(3);
    expect(states).toEqual([]);
    expect(echo.socketId()).toBe(socketId);
  });

  it("heartbeat - a raw client that ignores the server's pusher:ping is closed with 4201", async () => {
    const raw = new RawPusher(cluster.nodes[0]!.url);
    await raw.socketId();
    await raw.next((f) => f.event === "pusher:ping");
    const closed = await raw.closed;
    expect(closed.code).toBe(4201);
    expect(raw.frames.at(-1)).toMatchObject({
      event: "pusher:error",
      data: { code: 4201, message: "Pong reply not received in time" },
    });
  });

  it("reconnect - a node that drains closes with 4200; Echo reconnects at once elsewhere, re-authorizes, re-subscribes and events flow", async () => {
    await using balancer = await startSwitchProxy(cluster.nodes[0]!.port);
    const { token } = await cluster.user();
    const { echo, pusher } = connectEcho(balancer.url, { token });
    await connected(pusher);
    const firstId = echo.socketId();
    const issued = await cluster.call("POST", "/api/realtime/subscribe", {
      token,
      body: { collection: "notes" },
    });
    const created: string[] = [];
    let subscriptions = 0;
    const channel = echo
      .private(issued.body.channel_name)
      .listen(".created", ({ record }: { record: { text: string } }) => created.push(record.text));
    channel.subscribed(() => {
      subscriptions += 1;
    });
    await eventually(() => expect(subscriptions).toBe(1));

    const closes: number[] = [];
    pusher.connection.bind("error", ({ error }: { error?: { data?: { code?: number } } }) => {
      if (error?.data?.code) closes.push(error.data.code);
    });
    let lostAt = 0;
    pusher.connection.bind("connecting", () => {
      lostAt ||= Date.now();
    });
    balancer.target(cluster.nodes[1]!.port);
    await cluster.nodes[0]!.stop();
    await eventually(() => expect(subscriptions).toBe(2));
    expect(closes).toContain(4200);
    expect(echo.socketId()).not.toBe(firstId);
    expect(Date.now() - lostAt).toBeLessThan(3_000);

    await cluster.call("POST", "/api/collections/notes/records", {
      body: { text: "after" },
      on: 1,
    });
    await eventually(() => expect(created).toEqual(["after"]));
  });
});
