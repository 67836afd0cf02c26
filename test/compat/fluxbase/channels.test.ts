import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { collect, eventually, request } from "../../support/socket-calls.ts";
import { connectFluxbase, type FluxbaseSocket } from "./fluxbase-socket.ts";

describe("fluxbase: broadcast and presence", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
  });
  afterAll(async () => {
    await cluster?.[Symbol.asyncDispose]();
  });

  async function signedIn(node = 0): Promise<FluxbaseSocket> {
    const { token } = await cluster.user();
    return connectFluxbase(cluster.nodes[node]!.url, { token });
  }

  async function join(socket: FluxbaseSocket, channel: string) {
    socket.send({ type: "subscribe", channel });
    expect(await socket.next({ type: "ack" })).toEqual({
      type: "ack",
      channel,
      status: "subscribed",
      payload: { subscribed: true, channel },
    });
    return socket.next({ type: "presence" });
  }

  it("broadcasts to every subscriber of the channel, the sender included, and acks a messageId", async () => {
    const a = await signedIn(0);
    const b = await signedIn(1);
    await join(b, "broadcast:chat");
    a.send({
      type: "broadcast",
      channel: "broadcast:chat",
      event: "m",
      payload: { text: "hi" },
      messageId: "msg_1",
    });
    const expected = {
      type: "broadcast",
      channel: "broadcast:chat",
      payload: { broadcast: { event: "m", payload: { text: "hi" } } },
    };
    expect(await b.next({ type: "broadcast" })).toEqual(expected);
    expect(await a.next({ type: "ack" })).toEqual({
      type: "ack",
      channel: "broadcast:chat",
      messageId: "msg_1",
      status: "ok",
      payload: { messageId: "msg_1", status: "ok" },
    });
    expect(await a.next({ type: "broadcast" })).toEqual(expected);
    await a.close();
    await b.close();
  });

  it("tells the channel who tracks (both message shapes), who tracks again, and who left", async () => {
    const a = await signedIn(0);
    const b = await signedIn(1);
    expect((await join(b, "presence:lobby")).payload.presence).toEqual({
      event: "sync",
      currentPresences: {},
    });
    // The SDK's shape: `event` at the top level.
    a.send({
      type: "presence",
      channel: "presence:lobby",
      event: "track",
      payload: { key: "ada", state: { name: "Ada" } },
    });
    const joined = await b.next({ type: "presence" });
    expect(joined).toEqual({
      type: "presence",
      channel: "presence:lobby",
      payload: {
        presence: {
          event: "join",
          key: "ada",
          newPresences: [{ name: "Ada" }],
          currentPresences: { ada: [{ name: "Ada" }] },
        },
      },
    });
    expect((await a.next({ type: "presence" })).payload.presence.event).toBe("join");
    // The server's shape: `event` in the payload; tracking again is a sync.
    a.send({
      type: "presence",
      channel: "presence:lobby",
      payload: { event: "track", key: "ada", state: { name: "Ada L." } },
    });
    expect((await b.next({ type: "presence" })).payload.presence).toEqual({
      event: "sync",
      currentPresences: { ada: [{ name: "Ada L." }] },
    });
    await a.close();
    expect((await b.next({ type: "presence" })).payload.presence).toEqual({
      event: "leave",
      key: "ada",
      leftPresences: [{ name: "Ada L." }],
      currentPresences: {},
    });
    await b.close();
  });

  it("untracks on request and leaves a channel on unsubscribe", async () => {
    const a = await signedIn(0);
    const b = await signedIn(0);
    await join(b, "room-2");
    a.send({ type: "presence", channel: "room-2", event: "track", payload: { key: "k" } });
    expect((await b.next({ type: "presence" })).payload.presence.event).toBe("join");
    a.send({ type: "presence", channel: "room-2", event: "untrack", payload: { key: "k" } });
    expect((await b.next({ type: "presence" })).payload.presence).toMatchObject({
      event: "leave",
      key: "k",
    });
    expect((await a.next((f) => f.payload?.presence?.event === "leave")).channel).toBe("room-2");
    b.send({ type: "unsubscribe", channel: "room-2" });
    expect(await b.next({ type: "ack" })).toEqual({
      type: "ack",
      channel: "room-2",
      payload: { unsubscribed: true },
    });
    a.send({ type: "broadcast", channel: "room-2", event: "e", payload: 1 });
    await a.next({ type: "broadcast" });
    await b.settle();
    expect(b.take({ type: "broadcast" })).toEqual([]);
    a.send({ type: "presence", channel: "room-2", event: "wave", payload: { key: "k" } });
    expect(await a.next({ type: "error" })).toMatchObject({ error: "unknown presence event" });
    a.send({ type: "presence", channel: "room-2", event: "track", payload: {} });
    expect(await a.next({ type: "error" })).toMatchObject({
      error: "key is required for presence track",
    });
    await a.close();
    await b.close();
  });

  it("refuses anonymous clients (TIDINGS_CHANNEL_ACCESS) and bad channel names", async () => {
    const anonymous = await connectFluxbase(cluster.nodes[0]!.url);
    anonymous.send({ type: "broadcast", channel: "broadcast:chat", event: "m", payload: 1 });
    expect(await anonymous.next()).toMatchObject({ type: "error", code: "FORBIDDEN" });
    const user = await signedIn();
    user.send({ type: "subscribe", channel: "no spaces allowed" });
    expect(await user.next()).toMatchObject({ type: "error", code: "INVALID_CHANNEL" });
    await anonymous.close();
    await user.close();
  });

  it("shares presence rooms and broadcast topics with Socket.IO clients on another node", async () => {
    const fluxbase = await signedIn(0);
    const { token } = await cluster.user();
    const socket = await cluster.socket(1, { token });
    const diffs = collect<{ joins: { meta: unknown }[]; leaves: unknown[] }>(socket, "presence");
    const broadcasts = collect(socket, "broadcast");
    await join(fluxbase, "shared");
    fluxbase.send({
      type: "presence",
      channel: "shared",
      event: "track",
      payload: { key: "flux", state: { name: "F" } },
    });
    await fluxbase.next({ type: "presence" });
    const joined = await request(socket, "presence:join", { room: "shared", meta: { name: "S" } });
    expect(joined).toMatchObject({ ok: true });
    expect((await fluxbase.next({ type: "presence" })).payload.presence).toEqual({
      event: "join",
      key: socket.id,
      newPresences: [{ name: "S" }],
      currentPresences: { flux: [{ name: "F" }], [socket.id as string]: [{ name: "S" }] },
    });
    fluxbase.send({
      type: "presence",
      channel: "shared",
      event: "track",
      payload: { key: "flux", state: { name: "F2" } },
    });
    expect((await fluxbase.next({ type: "presence" })).payload.presence.event).toBe("sync");
    await eventually(() =>
      expect(diffs.at(-1)?.joins[0]?.meta).toEqual({ name: "F2", presence_key: "flux" }),
    );

    expect(await request(socket, "broadcast:join", { topic: "shared" })).toMatchObject({
      ok: true,
    });
    fluxbase.send({ type: "broadcast", channel: "shared", event: "hello", payload: { n: 1 } });
    await eventually(() =>
      expect(broadcasts).toEqual([
        expect.objectContaining({
          topic: "shared",
          payload: { event: "hello", payload: { n: 1 } },
        }),
      ]),
    );
    await request(socket, "broadcast", { topic: "shared", payload: { x: 1 } });
    expect(
      (
        await fluxbase.next(
          (f) => f.type === "broadcast" && f.payload.broadcast.event === "broadcast",
        )
      ).payload.broadcast,
    ).toEqual({ event: "broadcast", payload: { x: 1 } });

    socket.close();
    expect((await fluxbase.next({ type: "presence" })).payload.presence).toMatchObject({
      event: "leave",
      key: joined.ok ? joined.member.id : "",
      currentPresences: { flux: [{ name: "F2" }] },
    });
    await fluxbase.close();
  });
});
