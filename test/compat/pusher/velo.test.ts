import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../support/cluster.ts";
import { openCollection } from "../../support/collections.ts";
import { eventually, pause } from "../../support/socket-calls.ts";
import {
  connectEcho,
  connected,
  disconnectEchos,
  RawPusher,
  startPusherCluster,
} from "./pusher-support.ts";

const posts = openCollection("posts", [
  { name: "title", type: "text" },
  { name: "status", type: "text" },
  { name: "owner", type: "text" },
]);

// biome-ignore lint/suspicious/noExplicitAny: Velo events carry arbitrary records
type VeloEvent = { action: string; record: any };

/** Velo's frontend flow: ask for a channel, then listen on it with Echo. */
async function veloListener(
  cluster: Cluster,
  options: { token?: string; collection?: string; filter?: string; node?: number } = {},
) {
  const url = cluster.nodes[options.node ?? 0]!.url;
  const { echo, pusher } = connectEcho(url, {
    ...(options.token ? { token: options.token } : {}),
    authEndpoint: `${url}/api/broadcasting/auth`,
  });
  await connected(pusher);
  const answer = await cluster.call("POST", "/api/realtime/subscribe", {
    ...(options.token ? { token: options.token } : {}),
    body: {
      collection: options.collection ?? "posts",
      socket_id: echo.socketId(),
      ...(options.filter ? { filter: options.filter } : {}),
    },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const events: { name: string; data: VeloEvent }[] = [];
  const channel = echo.private(answer.body.channel_name);
  for (const name of ["created", "updated", "deleted", "server.message"])
    channel.listen(`.${name}`, (data: VeloEvent) => events.push({ name, data }));
  await new Promise<void>((resolve, reject) => {
    channel.subscribed(() => resolve());
    channel.error(reject);
  });
  return { echo, events, channelName: answer.body.channel_name as string };
}

describe("velo - realtime subscribe and channels", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startPusherCluster();
    await cluster.collection(posts);
    await cluster.collection({
      ...posts,
      name: "members_only",
      listRule: '@request.auth.id != ""',
    });
    await cluster.collection({ ...posts, name: "own", listRule: "owner = @request.auth.id" });
  });
  afterEach(disconnectEchos);
  afterAll(() => cluster[Symbol.asyncDispose]());

  it("velo flow - subscribe issues a channel; Echo's .created, .updated and .deleted receive {action, record}", async () => {
    const { token } = await cluster.user();
    const { events, channelName } = await veloListener(cluster, { token });
    expect(channelName).toMatch(/^velo\.realtime\.[0-9a-f-]{36}$/);
    const created = await cluster.call("POST", "/api/collections/posts/records", {
      body: { title: "one" },
    });
    const id = created.body.id as string;
    await cluster.call("PATCH", `/api/collections/posts/records/${id}`, {
      body: { title: "two" },
    });
    await cluster.call("DELETE", `/api/collections/posts/records/${id}`);
    await eventually(() => expect(events).toHaveLength(3));
    expect(events.map(({ name, data }) => [name, data.action, data.record.id])).toEqual([
      ["created", "created", id],
      ["updated", "updated", id],
      ["deleted", "deleted", id],
    ]);
    expect(events[1]!.data.record).toMatchObject({ title: "two", collectionName: "posts" });
  });

  it("the subscribe endpoint - answers as Laravel: 422 for an unknown collection or a bad filter, 401 for a guest the rule shuts out", async () => {
    const unknown = await cluster.call("POST", "/api/realtime/subscribe", {
      body: { collection: "nope" },
    });
    expect(unknown).toEqual({
      status: 422,
      body: { message: "Collection not found", errors: { collection: ["Collection not found"] } },
    });
    const missing = await cluster.call("POST", "/api/realtime/subscribe", { body: {} });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.collection).toEqual(["The collection field is required."]);
    const badFilter = await cluster.call("POST", "/api/realtime/subscribe", {
      body: { collection: "posts", filter: "title = " },
    });
    expect(badFilter.status).toBe(422);
    expect(Object.keys(badFilter.body.errors)).toEqual(["filter"]);
    const guest = await cluster.call("POST", "/api/realtime/subscribe", {
      body: { collection: "members_only" },
    });
    expect(guest).toEqual({ status: 401, body: { message: "Unauthenticated." } });
    const { token } = await cluster.user();
    const member = await cluster.call("POST", "/api/realtime/subscribe", {
      token,
      body: { collection: "members_only" },
    });
    expect(member.body).toMatchObject({ is_public: false });
  });

  it("the velo filter and rules - non-matching records and records the rule hides are not delivered; entering is an update, leaving sends nothing", async () => {
    const a = await cluster.user();
    const b = await cluster.user();
    const filtered = await veloListener(cluster, { token: a.token, filter: "status = 'active'" });
    const own = await veloListener(cluster, { token: b.token, collection: "own" });
    await cluster.call("POST", "/api/collections/posts/records", {
      body: { title: "draft", status: "draft" },
    });
    const draft2 = await cluster.call("POST", "/api/collections/posts/records", {
      body: { title: "draft2", status: "draft" },
    });
    await cluster.call("POST", "/api/collections/own/records", {
      body: { title: "a's", owner: a.user.id },
    });
    await cluster.call("POST", "/api/collections/own/records", {
      body: { title: "b's", owner: b.user.id },
    });
    await cluster.call("PATCH", `/api/collections/posts/records/${draft2.body.id}`, {
      body: { status: "active" },
    });
    await cluster.call("PATCH", `/api/collections/posts/records/${draft2.body.id}`, {
      body: { status: "archived", title: "secret" },
    });
    await cluster.call("POST", "/api/collections/posts/records", {
      body: { title: "live", status: "active" },
    });
    await eventually(() => expect(filtered.events).toHaveLength(2));
    await eventually(() => expect(own.events).toHaveLength(1));
    await pause(200);
    expect(filtered.events.map(({ name, data }) => [name, data.record.title])).toEqual([
      ["updated", "draft2"],
      ["created", "live"],
    ]);
    expect(own.events.map(({ data }) => data.record.title)).toEqual(["b's"]);
  });

  it("channel theft - a channel issued to A is not signed for B (403) nor for a guest", async () => {
    const a = await cluster.user();
    const b = await cluster.user();
    const issued = await cluster.call("POST", "/api/realtime/subscribe", {
      token: a.token,
      body: { collection: "posts" },
    });
    const channel = `private-${issued.body.channel_name}`;
    const asked = (token?: string) =>
      cluster.call("POST", "/api/broadcasting/auth", {
        ...(token ? { token } : {}),
        body: { socket_id: "1.2", channel_name: channel },
      });
    expect((await asked(a.token)).status).toBe(200);
    expect((await asked(b.token)).status).toBe(403);
    expect((await asked()).status).toBe(403);
    const unknown = await cluster.call("POST", "/api/broadcasting/auth", {
      token: a.token,
      body: {
        socket_id: "1.2",
        channel_name: "private-velo.realtime.00000000-0000-4000-8000-000000000000",
      },
    });
    expect(unknown.status).toBe(403);
    const raw = new RawPusher(cluster.nodes[0]!.url);
    await raw.socketId();
    raw.send("pusher:subscribe", { channel });
    expect((await raw.next((f) => f.event === "pusher:subscription_error")).data.status).toBe(401);
    raw.close();
  });

  it("exclude writer - a REST write with X-Socket-ID reaches the others and not the writer", async () => {
    const a = await cluster.user();
    const b = await cluster.user();
    const writer = await veloListener(cluster, { token: a.token });
    const other = await veloListener(cluster, { token: b.token });
    await cluster.call("POST", "/api/collections/posts/records", {
      body: { title: "mine" },
      headers: { "X-Socket-ID": writer.echo.socketId() as string },
    });
    await cluster.call("POST", "/api/collections/posts/records", { body: { title: "after" } });
    await eventually(() => expect(other.events).toHaveLength(2));
    await eventually(() => expect(writer.events).toHaveLength(1));
    expect(writer.events[0]!.data.record.title).toBe("after");
  });
});

describe("velo - options", () => {
  it("TIDINGS_VELO_EVENT_NAMES=both and a custom prefix - every change also comes as server.message", async () => {
    await using cluster = await startPusherCluster({
      env: { TIDINGS_VELO_EVENT_NAMES: "both", TIDINGS_VELO_CHANNEL_PREFIX: "app.live." },
    });
    await cluster.collection(posts);
    try {
      const { events, channelName } = await veloListener(cluster);
      expect(channelName).toMatch(/^app\.live\./);
      await cluster.call("POST", "/api/collections/posts/records", { body: { title: "x" } });
      await eventually(() => expect(events).toHaveLength(2));
      expect(events.map((e) => [e.name, e.data.action])).toEqual([
        ["created", "created"],
        ["server.message", "created"],
      ]);
      const ping = await cluster.call("POST", "/api/realtime/ping", {
        body: { channel_name: channelName },
      });
      expect(ping).toEqual({ status: 200, body: { status: "ok" } });
    } finally {
      disconnectEchos();
    }
  });
});
