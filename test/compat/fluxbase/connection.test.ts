import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { eventually } from "../../support/socket-calls.ts";
import { connectFluxbase, realtimeUrl, refusedHandshake } from "./fluxbase-socket.ts";

describe("fluxbase: connections", () => {
  let cluster: Cluster;
  let url: string;

  beforeAll(async () => {
    cluster = await startCluster({
      env: { TIDINGS_HEARTBEAT_INTERVAL: "1", TIDINGS_IDLE_TIMEOUT: "3" },
    });
    url = cluster.nodes[0]!.url;
  });
  afterAll(async () => {
    await cluster?.[Symbol.asyncDispose]();
  });

  it("opens with ?token= or a Bearer header, anonymously without one, and answers 401 to a bad token", async () => {
    const { token } = await cluster.user();
    const prisma = cluster.nodes[0]!.server.records.db.prisma;
    for (const socket of [
      await connectFluxbase(url, { token }),
      await connectFluxbase(url, { header: token }),
      await connectFluxbase(url),
    ]) {
      await socket.settle();
      await socket.close();
    }
    const rows = await prisma.realtimeConnection.findMany({ where: { protocol: "fluxbase" } });
    expect(rows.map((row) => row.userId !== null).sort()).toEqual([false, true, true]);
    const refused = await refusedHandshake(realtimeUrl(url, "not-a-jwt"));
    expect(refused).toEqual({
      status: 401,
      body: {
        error: "Invalid or expired token",
        code: "UNAUTHORIZED",
        message: "Invalid or expired token",
      },
    });
    expect(
      await refusedHandshake(realtimeUrl(url), { authorization: "Bearer x.y.z" }),
    ).toMatchObject({
      status: 401,
    });
    const plain = await fetch(`${url}/realtime`);
    expect(plain.status).toBe(426);
  });

  it("answers ping with pong and sends a heartbeat every interval", async () => {
    const socket = await connectFluxbase(url);
    socket.send({ type: "ping" });
    expect(await socket.next()).toEqual({ type: "pong" });
    expect(await socket.next({ type: "heartbeat" }, 3_000)).toEqual({ type: "heartbeat" });
    socket.send({ type: "heartbeat" });
    await socket.settle();
    expect(socket.take(() => true).filter((f) => f.type !== "heartbeat")).toEqual([]);
    await socket.close();
  });

  it("answers an unknown type, bad JSON and a malformed message with an error and stays open", async () => {
    const socket = await connectFluxbase(url);
    socket.send({ type: "shout" });
    expect(await socket.next()).toEqual({
      type: "error",
      error: "unknown message type",
      code: "INVALID_MESSAGE",
      message: "unknown message type",
    });
    socket.ws.send("{not json");
    expect(await socket.next()).toMatchObject({ type: "error", error: "invalid JSON" });
    socket.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await socket.next()).toMatchObject({ type: "error", code: "INVALID_MESSAGE" });
    socket.send({ type: "subscribe", channel: 5 });
    expect(await socket.next()).toMatchObject({
      type: "error",
      code: "INVALID_MESSAGE",
      error: expect.stringMatching(/^invalid subscribe message: channel: /),
    });
    socket.send({ type: "broadcast", event: "m" });
    expect(await socket.next()).toMatchObject({
      type: "error",
      code: "INVALID_CHANNEL",
      error: "channel is required for broadcast",
    });
    await socket.settle();
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    await socket.close();
  });

  it("refuses a user's 11th connection with max_connections_reached, then closes it", async () => {
    const { token } = await cluster.user();
    const open = [];
    for (let i = 0; i < 10; i += 1) {
      const socket = await connectFluxbase(url, { token });
      await socket.settle();
      open.push(socket);
    }
    const eleventh = await connectFluxbase(url, { token });
    expect(await eleventh.next()).toMatchObject({
      type: "error",
      error: "max_connections_reached",
      code: "RATE_LIMITED",
      payload: { message: "Server connection limit reached. Please try again later." },
    });
    expect(await eleventh.closed).toEqual({ code: 1008, reason: "max_connections_reached" });
    for (const socket of open) await socket.close();
  });

  it("renews the token with access_token: same user, or a first user for an anonymous connection", async () => {
    const { token, user } = await cluster.user();
    const fresh = (await cluster.call("POST", "/api/auth/refresh", { token })).body.token;
    const socket = await connectFluxbase(url, { token });
    socket.send({ type: "access_token", token: fresh });
    expect(await socket.next()).toEqual({
      type: "ack",
      payload: { type: "access_token", updated: true },
    });
    const other = await cluster.user();
    socket.send({ type: "access_token", token: other.token });
    expect(await socket.next()).toMatchObject({ type: "error", code: "FORBIDDEN" });
    socket.send({ type: "access_token", token: "garbage" });
    expect(await socket.next()).toMatchObject({
      type: "error",
      code: "UNAUTHORIZED",
      error: "invalid token",
    });
    const anonymous = await connectFluxbase(url);
    anonymous.send({ type: "access_token", token: fresh });
    expect(await anonymous.next()).toMatchObject({ type: "ack", payload: { updated: true } });
    const prisma = cluster.nodes[0]!.server.records.db.prisma;
    expect(
      await prisma.realtimeConnection.count({ where: { userId: user.id, disconnectedAt: null } }),
    ).toBe(2);
    await socket.close();
    await anonymous.close();
  });

  it("closes a connection whose token expired, and drops one silent past the idle timeout", async () => {
    const prisma = cluster.nodes[0]!.server.records.db.prisma;
    const { user } = await cluster.user();
    const expiring = await connectFluxbase(url, { token: await cluster.shortToken(user.id, 2) });
    const silent = await connectFluxbase(url, { autoPong: false });
    await silent.settle();
    expect(await expiring.next({ type: "error" }, 5_000)).toMatchObject({
      code: "UNAUTHORIZED",
      error: "token expired",
    });
    expect((await expiring.closed).code).toBe(1008);
    expect((await silent.closed).code).toBe(1006);
    await eventually(async () =>
      expect(
        await prisma.realtimeConnection.count({
          where: { protocol: "fluxbase", disconnectedAt: null },
        }),
      ).toBe(0),
    );
  });

  it("answers messages past the rate limit with RATE_LIMITED and keeps the connection", async () => {
    const socket = await connectFluxbase(url);
    for (let i = 0; i < 101; i += 1) socket.send({ type: "heartbeat" });
    expect(await socket.next()).toMatchObject({ type: "error", code: "RATE_LIMITED" });
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    await socket.close();
  });
});

describe("fluxbase: draining", () => {
  it("closes its clients with 1012, after which the SDK reconnects", async () => {
    await using cluster = await startCluster();
    const node = cluster.nodes[0]!;
    const socket = await connectFluxbase(node.url);
    await socket.settle();
    const stopping = node.stop();
    expect(await socket.closed).toEqual({ code: 1012, reason: "server_shutdown" });
    await stopping;
  });
});

describe("fluxbase: switched off", () => {
  it("answers upgrades to /realtime with 404 when TIDINGS_FLUXBASE_ENABLED=false", async () => {
    await using cluster = await startCluster({
      redis: false,
      env: { TIDINGS_FLUXBASE_ENABLED: "false" },
    });
    expect((await refusedHandshake(realtimeUrl(cluster.nodes[0]!.url))).status).toBe(404);
  });
});
