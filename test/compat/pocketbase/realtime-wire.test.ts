import { request as httpRequest } from "node:http";
import type { TestUser } from "@tidings/records/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { OPEN_RULES, openCollection } from "../../support/collections.ts";
import { eventually, pause } from "../../support/socket-calls.ts";
import {
  createRecord,
  postSubscriptions,
  type RawStream,
  rawStream,
  type SseFrame,
} from "./pocketbase-support.ts";

/** The topic the SDK posts for `subscribe("*", cb, {filter})`. */
const withFilter = (collection: string, filter: string) =>
  `${collection}/*?options=${encodeURIComponent(JSON.stringify({ query: { filter } }))}`;

const events = (stream: RawStream) => stream.frames.filter((f) => f.event !== "PB_CONNECT");
const payload = (frame: SseFrame | undefined) => JSON.parse(frame?.data ?? "{}");

describe("pocketbase realtime on the wire", () => {
  let cluster: Cluster;
  let url: string;
  let alice: TestUser;
  let bob: TestUser;
  const streams: RawStream[] = [];

  async function stream(on = 0): Promise<RawStream> {
    const opened = await rawStream(cluster.nodes[on]?.url as string);
    streams.push(opened);
    return opened;
  }

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 2,
      env: { TIDINGS_MAX_SUBSCRIPTIONS_PER_CONNECTION: "10" },
    });
    url = cluster.nodes[0]?.url as string;
    [alice, bob] = await Promise.all([cluster.user(), cluster.user()]);
    await cluster.collection(openCollection("posts", [{ name: "title", type: "text" }]));
    await cluster.collection({
      name: "members",
      fields: [{ name: "title", type: "text" }],
      ...OPEN_RULES,
      listRule: '@request.auth.id != ""',
    });
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    await cluster?.[Symbol.asyncDispose]();
  });

  it("GET opens an event stream: PB_CONNECT first, and every frame carries the client id", async () => {
    const s = await stream();
    expect(s.status).toBe(200);
    expect(s.headers.get("content-type")).toBe("text/event-stream; charset=UTF-8");
    expect(s.headers.get("cache-control")).toBe("no-store");
    expect(s.headers.get("x-accel-buffering")).toBe("no");
    expect(s.frames[0]).toEqual({
      id: s.clientId,
      event: "PB_CONNECT",
      data: JSON.stringify({ clientId: s.clientId }),
    });
    expect(s.clientId).toMatch(/^[a-z0-9]{40}$/);
    const topic = withFilter("posts", 'title ~ "wire"');
    const answer = await postSubscriptions(url, { clientId: s.clientId, subscriptions: [topic] });
    expect(answer).toEqual({ status: 204, body: {} });
    await createRecord(cluster, "posts", { title: "skipped" });
    const created = await createRecord(cluster, "posts", { title: "on the wire" });
    await eventually(() => expect(events(s)).toHaveLength(1));
    // The event is named with the topic exactly as posted, options still percent-encoded.
    expect(events(s)[0]?.event).toBe(topic);
    expect(payload(events(s)[0])).toEqual({ action: "create", record: created });
    expect(new Set(s.frames.map((frame) => frame.id))).toEqual(new Set([s.clientId]));
  });

  it("a record matching several topics of one client is sent once per topic", async () => {
    const s = await stream();
    // A change reaches the subscriptions the stream holds when it is relayed, which may be after
    // a subscription made right after the write: the watcher's copy says the create went out
    // before `s` subscribes, so only the update is for `s`.
    const watcher = await stream();
    await postSubscriptions(url, { clientId: watcher.clientId, subscriptions: ["posts"] });
    const post = await createRecord(cluster, "posts", { title: "twice" });
    await eventually(() => expect(events(watcher)).toHaveLength(1));
    const topics = ["posts/*", withFilter("posts", 'title != ""'), `posts/${post.id}`, "posts"];
    await postSubscriptions(url, { clientId: s.clientId, subscriptions: topics });
    await cluster.call("PATCH", `/api/collections/posts/records/${post.id}`, {
      body: { title: "thrice" },
    });
    await eventually(() => expect(events(s)).toHaveLength(4));
    await pause();
    expect(events(s).map((frame) => frame.event)).toEqual(expect.arrayContaining(topics));
    expect(events(s).length).toBe(4);
  });

  it("refuses POSTs for unknown clients (404) and from anyone but the stream's user (403)", async () => {
    const unknown = await postSubscriptions(url, { clientId: "nobody", subscriptions: [] });
    expect(unknown).toMatchObject({
      status: 404,
      body: { status: 404, message: "Missing or invalid client id." },
    });
    const s = await stream();
    const as = (user: TestUser | undefined, subscriptions = ["members/*"]) =>
      postSubscriptions(url, { clientId: s.clientId, subscriptions }, user?.token);
    // A guest may sign in: the upgrade re-plans the topics under the user's rules.
    expect((await as(undefined)).status).toBe(204);
    await createRecord(cluster, "members", { title: "unseen by guests" });
    await pause();
    expect(events(s)).toEqual([]);
    expect((await as(alice)).status).toBe(204);
    await createRecord(cluster, "members", { title: "for alice" });
    await eventually(() => expect(events(s)).toHaveLength(1));
    for (const other of [bob, undefined]) {
      const refused = await as(other, []);
      expect(refused).toMatchObject({
        status: 403,
        body: { message: "The current and the previous request authorization don't match." },
      });
    }
    // Refusals changed nothing; `Bearer <token>` is accepted too.
    await createRecord(cluster, "members", { title: "still alice's" });
    await eventually(() => expect(events(s)).toHaveLength(2));
    expect((await as({ ...alice, token: `Bearer ${alice.token}` })).status).toBe(204);
    expect((await as({ ...alice, token: "not a token" })).status).toBe(401);
  });

  it("validates the body and every topic before changing anything (400)", async () => {
    const s = await stream();
    const post = (subscriptions: unknown, clientId: unknown = s.clientId) =>
      postSubscriptions(url, { clientId, subscriptions });
    expect((await post(["posts/*"])).status).toBe(204);
    const bad: [unknown, unknown?][] = [
      [["posts/*"], ""],
      [["posts/*"], "x".repeat(256)],
      ["posts/*"],
      [Array.from({ length: 1001 }, (_, i) => `posts/r${i}`)],
      [[`posts/${"x".repeat(2500)}`]],
      [["posts/*\nevent:forged"]],
      [["posts/*?options=not-json"]],
      [[`posts/*?options=${encodeURIComponent('{"query":{"filter":{"a":1}}}')}`]],
      [[withFilter("posts", "title = ")]],
      [[withFilter("posts", "nope = 1")]],
      [[`posts/*?options=${encodeURIComponent('{"query":{"expand":"title"}}')}`]],
      [[`posts/*?options=${encodeURIComponent('{"query":{"fields":"id:excerpt(5)"}}')}`]],
    ];
    for (const [subscriptions, clientId] of bad) {
      const answer = await post(subscriptions, clientId);
      expect(answer.status, JSON.stringify(subscriptions).slice(0, 80)).toBe(400);
      expect(answer.body.message).toEqual(expect.any(String));
    }
    const created = await createRecord(cluster, "posts", { title: "still subscribed" });
    await eventually(() => expect(events(s)).toHaveLength(1));
    expect(payload(events(s)[0]).record.id).toBe(created.id);
  });

  it("accepts topics that name no records, and never sends to them", async () => {
    const s = await stream();
    const topics = ["PB_CONNECT", "@oauth2", "missing/*", "posts/a/b", "", "posts/*"];
    expect(
      (await postSubscriptions(url, { clientId: s.clientId, subscriptions: topics })).status,
    ).toBe(204);
    await createRecord(cluster, "posts", { title: "only to posts/*" });
    await eventually(() => expect(events(s)).toHaveLength(1));
    await pause();
    expect(events(s).map((frame) => frame.event)).toEqual(["posts/*"]);
  });

  it("holds a client to the subscription limit (429) and PocketBase's topic limits (400)", async () => {
    const s = await stream();
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `posts/r${i}`);
    // TIDINGS_MAX_SUBSCRIPTIONS_PER_CONNECTION is 10 here; the 1,000 topics are PocketBase's.
    const answer = await postSubscriptions(url, { clientId: s.clientId, subscriptions: ids(11) });
    expect(answer).toMatchObject({ status: 429, body: { code: "LIMIT_EXCEEDED" } });
    expect(
      (await postSubscriptions(url, { clientId: s.clientId, subscriptions: ids(10) })).status,
    ).toBe(204);
  });

  it("refuses a POST from another address than the stream's (400)", async () => {
    const s = await stream();
    const { port } = new URL(url);
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        {
          host: "127.0.0.1",
          port,
          localAddress: "127.0.0.2",
          method: "POST",
          path: "/api/realtime",
          headers: { "content-type": "application/json" },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on("error", reject);
      request.end(JSON.stringify({ clientId: s.clientId, subscriptions: [] }));
    });
    expect(status).toBe(400);
  });

  it("a POST that reaches another node applies to the stream where it is held", async () => {
    const s = await stream(0);
    const other = cluster.nodes[1]?.url as string;
    const answer = await postSubscriptions(
      other,
      { clientId: s.clientId, subscriptions: ["posts/*"] },
      alice.token,
    );
    expect(answer.status).toBe(204);
    const created = await createRecord(cluster, "posts", { title: "across nodes" });
    await eventually(() => expect(events(s)).toHaveLength(1));
    expect(payload(events(s)[0]).record.id).toBe(created.id);
    const refused = await postSubscriptions(
      other,
      { clientId: s.clientId, subscriptions: [] },
      bob.token,
    );
    expect(refused).toMatchObject({ status: 403 });
    expect((await postSubscriptions(other, { clientId: "gone", subscriptions: [] })).status).toBe(
      404,
    );
  });

  it("closing the stream drops the client and its subscriptions", async () => {
    const s = await stream();
    await postSubscriptions(url, { clientId: s.clientId, subscriptions: ["posts/*"] });
    const prisma = cluster.nodes[0]?.server.records.db.prisma;
    const held = () => prisma?.realtimeSubscription.count({ where: { connectionId: s.clientId } });
    expect(await held()).toBe(1);
    s.close();
    await eventually(async () => expect(await held()).toBe(0));
    expect((await postSubscriptions(url, { clientId: s.clientId, subscriptions: [] })).status).toBe(
      404,
    );
  });
});
