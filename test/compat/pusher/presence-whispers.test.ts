import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../support/cluster.ts";
import { eventually, pause, request } from "../../support/socket-calls.ts";
import {
  connectEcho,
  disconnectEchos,
  RawPusher,
  startPusherCluster,
  subscribeRaw,
} from "./pusher-support.ts";

// biome-ignore lint/suspicious/noExplicitAny: member infos are arbitrary JSON
type Info = any;

/** Echo joined to a presence channel, recording here/joining/leaving. */
async function member(cluster: Cluster, node: number, token: string, room = "room") {
  const { echo } = connectEcho(cluster.nodes[node]!.url, { token, broadcaster: "reverb" });
  const seen = { here: [] as Info[], joining: [] as Info[], leaving: [] as Info[] };
  await new Promise<void>((resolve, reject) => {
    echo
      .join(room)
      .here((members: Info[]) => {
        seen.here = members;
        resolve();
      })
      .joining((info: Info) => seen.joining.push(info))
      .leaving((info: Info) => seen.leaving.push(info))
      .error(reject);
  });
  return { echo, seen };
}

const ids = (infos: Info[]) => infos.map((info) => info.id).sort();

describe("pusher presence channels and client events across gateway nodes", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startPusherCluster({ nodes: 2 });
  });
  afterEach(disconnectEchos);
  afterAll(() => cluster[Symbol.asyncDispose]());

  it("presence - joining, here and leaving count users, not tabs, across two nodes", async () => {
    const [a, b, c] = [await cluster.user(), await cluster.user(), await cluster.user()];
    const onA = await member(cluster, 0, a.token);
    expect(onA.seen.here).toEqual([{ id: a.user.id, name: a.user.name }]);

    const onB = await member(cluster, 1, b.token);
    expect(ids(onB.seen.here)).toEqual(ids([a.user, b.user]));
    await eventually(() =>
      expect(onA.seen.joining).toEqual([{ id: b.user.id, name: b.user.name }]),
    );

    // B's second tab, then C, on the same node: C's joining arrives after whatever B's tab caused.
    const secondTab = await member(cluster, 1, b.token);
    expect(ids(secondTab.seen.here)).toEqual(ids([a.user, b.user]));
    await member(cluster, 1, c.token);
    await eventually(() => expect(ids(onA.seen.joining)).toEqual(ids([b.user, c.user])));
    expect(onB.seen.joining.map((info) => info.id)).toEqual([c.user.id]);

    secondTab.echo.leave("room");
    await pause(); // one of B's tabs leaving is not B leaving
    expect(onA.seen.leaving).toEqual([]);
    onB.echo.disconnect();
    await eventually(() =>
      expect(onA.seen.leaving).toEqual([{ id: b.user.id, name: b.user.name }]),
    );
  });

  it("presence - Pusher members and Socket.IO members of the same room see each other", async () => {
    const [a, b] = [await cluster.user(), await cluster.user()];
    const onA = await member(cluster, 0, a.token, "shared");
    const socket = await cluster.socket(1, { token: b.token });
    const joined = await request(socket, "presence:join", {
      room: "presence-shared",
      meta: { id: b.user.id, name: "socket.io" },
    });
    expect(joined.ok).toBe(true);
    await eventually(() =>
      expect(onA.seen.joining).toEqual([{ id: b.user.id, name: "socket.io" }]),
    );
    socket.close();
    await eventually(() => expect(onA.seen.leaving.map((info) => info.id)).toEqual([b.user.id]));
  });

  it("whisper - B's listenForWhisper receives A's whisper across nodes, and A never gets its own back", async () => {
    const [a, b] = [await cluster.user(), await cluster.user()];
    const channels = [
      connectEcho(cluster.nodes[0]!.url, { token: a.token }),
      connectEcho(cluster.nodes[1]!.url, { token: b.token }),
    ].map(({ echo }) => echo.private("chat"));
    await Promise.all(
      channels.map((channel) => new Promise((resolve) => channel.subscribed(resolve))),
    );
    const [onA, onB] = channels as [(typeof channels)[0], (typeof channels)[0]];
    const [gotA, gotB] = [[] as Info[], [] as Info[]];
    onA.listenForWhisper("typing", (data: Info) => gotA.push(data));
    onB.listenForWhisper("typing", (data: Info) => gotB.push(data));
    onA.whisper("typing", { from: "a" });
    await eventually(() => expect(gotB).toEqual([{ from: "a" }]));
    onB.whisper("typing", { from: "b" });
    await eventually(() => expect(gotA).toEqual([{ from: "b" }]));
  });

  it("client events - carry the sender's user_id on presence channels, are refused on public and unjoined channels, and are rate limited (4301)", async () => {
    const [a, b] = [await cluster.user(), await cluster.user()];
    const [rawA, rawB] = [
      new RawPusher(cluster.nodes[0]!.url),
      new RawPusher(cluster.nodes[1]!.url),
    ];
    await subscribeRaw(cluster, rawA, "presence-desk", a.token);
    await subscribeRaw(cluster, rawB, "presence-desk", b.token);
    rawA.send("client-typing", { x: 1 }, "presence-desk");
    const relayed = await rawB.next((f) => f.event === "client-typing");
    expect(relayed).toMatchObject({ channel: "presence-desk", data: { x: 1 }, user_id: a.user.id });

    for (const raw of [rawA, rawB]) raw.send("pusher:subscribe", { channel: "lobby" });
    for (const raw of [rawA, rawB])
      await raw.next(
        (f) => f.event === "pusher_internal:subscription_succeeded" && f.channel === "lobby",
      );
    rawA.send("client-shout", { y: 1 }, "lobby");
    rawA.send("client-shout", { y: 2 }, "private-not-joined");
    const errors = () =>
      rawA.frames.filter((f) => f.event === "pusher:error").map((f) => f.data.code);
    await eventually(() => expect(errors()).toEqual([4301, 4009]));

    // 10 per second with bursts of 10: of 12 at once, at least 2 are refused, the rest relayed.
    const before = errors().length;
    for (let n = 0; n < 12; n += 1) rawA.send("client-burst", { n }, "presence-desk");
    await eventually(() => {
      const refused = errors().slice(before);
      const relayed = rawB.frames.filter((f) => f.event === "client-burst");
      expect(refused.length).toBeGreaterThanOrEqual(2);
      expect(new Set(refused)).toEqual(new Set([4301]));
      expect(refused.length + relayed.length).toBe(12);
    });
    await pause();
    expect(rawB.frames.filter((f) => f.event === "client-shout")).toEqual([]);
    rawA.close();
    rawB.close();
  });
});
