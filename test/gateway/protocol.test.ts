import type { ChangePayload } from "@tidings/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { collect, eventually, pause, request } from "../support/socket-calls.ts";
import { subscriptionRowsSince } from "../support/subscription-rows.ts";

const posts = openCollection("posts", [
  { name: "title", type: "text" },
  { name: "secret", type: "text", hidden: true },
  { name: "owner", type: "relation", collection: "users" },
]);

describe("realtime protocol", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.collection(posts);
    await cluster.collection({ ...posts, name: "quiet", realtime: false });
    await cluster.collection({ ...posts, name: "members", listRule: '@request.auth.id != ""' });
    await cluster.collection({ ...posts, name: "locked", listRule: null });
  });
  afterAll(() => cluster?.[Symbol.asyncDispose]());

  it("connect - anonymous and with a token; a bad token is refused with UNAUTHORIZED", async () => {
    await cluster.socket(0);
    const user = await cluster.user();
    await cluster.socket(0, { token: user.token });
    const refused = await cluster.socket(0, { token: "not-a-token" }).catch((error) => error);
    expect(refused.data).toMatchObject({ code: "UNAUTHORIZED" });
    const wrongType = await cluster.socket(0, { auth: { token: 42 } }).catch((error) => error);
    expect(wrongType.data).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("subscribe - acks {ok, id, channel} and delivers changes on that channel", async () => {
    const socket = await cluster.socket(0);
    const changes = collect<ChangePayload>(socket, "change");
    const ack = await request(socket, "subscribe", { collection: "posts" });
    expect(ack).toMatchObject({ ok: true, id: expect.any(String), channel: expect.any(String) });
    const created = await cluster.call("POST", "/api/collections/posts/records", {
      body: { title: "hi", secret: "x" },
    });
    await eventually(() => expect(changes).toHaveLength(1));
    expect(changes[0]).toMatchObject({
      channel: ack.ok && ack.channel,
      action: "created",
      record: { id: created.body.id, title: "hi" },
    });
    expect(changes[0]?.record).not.toHaveProperty("secret");
    expect(typeof changes[0]?.seq).toBe("number");
    expect(Date.parse(changes[0]?.at as string)).not.toBeNaN();
  });

  it("subscribe - refusals carry the documented codes and store nothing", async () => {
    const socket = await cluster.socket(0);
    const prisma = cluster.nodes[0]!.server.records.db.prisma;
    const madeHere = await subscriptionRowsSince(prisma);
    const cases: [unknown, string][] = [
      [{ collection: "ghosts" }, "NOT_FOUND"],
      [{ collection: "quiet" }, "FORBIDDEN"],
      [{ collection: "members" }, "FORBIDDEN"],
      [{ collection: "locked" }, "FORBIDDEN"],
      [{ collection: "posts", filter: "title = 'x' &&" }, "INVALID_FILTER"],
      [{ collection: "posts", filter: "secret = 'x'" }, "INVALID_FILTER"],
      [{ collection: "posts", select: ["nope"] }, "INVALID_MESSAGE"],
      [{ collection: "posts", events: ["exploded"] }, "INVALID_MESSAGE"],
      [{ collection: 7 }, "INVALID_MESSAGE"],
      [{ collection: "posts", surprise: true }, "INVALID_MESSAGE"],
    ];
    for (const [payload, code] of cases) {
      const ack = await request(socket, "subscribe", payload);
      expect(ack.ok, JSON.stringify(payload)).toBe(false);
      if (!ack.ok) expect(ack.error.code, JSON.stringify(payload)).toBe(code);
    }
    const filter = await request(socket, "subscribe", {
      collection: "posts",
      filter: "title = 'x' &&",
    });
    expect(!filter.ok && filter.error.data).toMatchObject({ position: expect.any(Number) });
    expect(await madeHere()).toBe(0);
  });

  it("subscribe - a signed-in user may subscribe where the rule wants authentication", async () => {
    const user = await cluster.user();
    const socket = await cluster.socket(0, { token: user.token });
    expect((await request(socket, "subscribe", { collection: "members" })).ok).toBe(true);
  });

  it("unsubscribe - stops deliveries; an unknown id is NOT_FOUND", async () => {
    const socket = await cluster.socket(0);
    const changes = collect<ChangePayload>(socket, "change");
    const ack = await request(socket, "subscribe", { collection: "posts" });
    if (!ack.ok) throw new Error("subscribe failed");
    expect(await request(socket, "unsubscribe", { id: ack.id })).toEqual({ ok: true, id: ack.id });
    await cluster.call("POST", "/api/collections/posts/records", { body: { title: "unseen" } });
    await pause(500);
    expect(changes).toEqual([]);
    const again = await request(socket, "unsubscribe", { id: ack.id });
    expect(!again.ok && again.error.code).toBe("NOT_FOUND");
  });

  it("malformed messages get INVALID_MESSAGE and the node keeps serving", async () => {
    const socket = await cluster.socket(0);
    const errors = collect<{ event: string; code: string }>(socket, "tidings:error");
    for (const [event, payload] of [
      ["subscribe", "posts"],
      ["subscribe", null],
      ["subscribe", { collection: "posts", filter: "x".repeat(70_000) }],
      ["no-such-event", {}],
      ["unsubscribe", { id: ["a"] }],
    ] as const) {
      const ack = await request(socket, event, payload);
      expect(!ack.ok && ack.error.code, event).toBe("INVALID_MESSAGE");
    }
    socket.emit("subscribe", { collection: 5 });
    await eventually(() =>
      expect(errors).toEqual([
        expect.objectContaining({ event: "subscribe", code: "INVALID_MESSAGE" }),
      ]),
    );
    expect((await request(socket, "subscribe", { collection: "posts" })).ok).toBe(true);
    const other = await cluster.socket(0);
    expect((await request(other, "subscribe", { collection: "posts" })).ok).toBe(true);
  });
});
