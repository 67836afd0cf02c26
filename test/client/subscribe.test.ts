import {
  type Change,
  type ConnectionState,
  createClient,
  isForbidden,
  isInvalidFilter,
  isNotFound,
  type TidingsClient,
  TidingsError,
} from "@tidings/client";
import { eventually, pause } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";

const fields = [
  { name: "title", type: "text" },
  { name: "status", type: "text" },
  { name: "secret", type: "text", hidden: true },
];
describe("subscriptions against a live server", () => {
  let cluster: Cluster;
  const clients: TidingsClient[] = [];
  const client = (options: Parameters<typeof createClient>[1] = {}) => {
    const made = createClient(cluster.nodes[0]!.url, {
      socket: { transports: ["websocket"] },
      ...options,
    });
    clients.push(made);
    return made;
  };
  const write = async (method: string, path: string, body?: unknown, socketId?: string) => {
    const answer = await cluster.call(method, `/api/collections/${path}`, {
      body,
      ...(socketId ? { headers: { "x-socket-id": socketId } } : {}),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
    return answer.body;
  };

  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.collection(openCollection("posts", fields));
    await cluster.collection(openCollection("notes", fields));
    await cluster.collection({ ...openCollection("locked", fields), listRule: null });
    await cluster.collection(openCollection("ruled", fields));
  });
  afterAll(async () => {
    for (const made of clients) made.close();
    await cluster?.[Symbol.asyncDispose]();
  });

  it("subscribe - delivers created, updated and deleted in order until unsubscribed", async () => {
    const changes: Change[] = [];
    const sub = await client()
      .collection("posts")
      .subscribe("*", (change) => changes.push(change));
    expect(sub).toMatchObject({ collection: "posts", target: "*", active: true });
    expect(sub.id).toEqual(expect.any(String));
    const { id } = await write("POST", "posts/records", { title: "a", secret: "s" });
    await write("PATCH", `posts/records/${id}`, { title: "b" });
    await write("DELETE", `posts/records/${id}`);
    await eventually(() => expect(changes).toHaveLength(3));
    expect(changes.map((c) => c.action)).toEqual(["created", "updated", "deleted"]);
    expect(changes[1]).toMatchObject({ record: { id, title: "b" }, oldRecord: { title: "a" } });
    expect(changes[0]?.record).not.toHaveProperty("secret");
    expect(changes[1]!.seq).toBeGreaterThan(changes[0]!.seq);
    expect(changes[2]!.seq).toBeGreaterThan(changes[1]!.seq);
    expect(sub.lastSeq).toBe(changes[2]?.seq);

    await sub.unsubscribe();
    expect(sub.active).toBe(false);
    await write("POST", "posts/records", { title: "after" });
    await pause();
    expect(changes).toHaveLength(3);
  });

  it("subscribe - one record by id gets that record's changes only", async () => {
    const { id } = await write("POST", "posts/records", { title: "one" });
    const changes: Change[] = [];
    await client()
      .collection("posts")
      .subscribe(id, (change) => changes.push(change));
    await write("POST", "posts/records", { title: "other" });
    await write("PATCH", `posts/records/${id}`, { title: "one!" });
    await eventually(() => expect(changes).toHaveLength(1));
    await pause();
    expect(changes).toMatchObject([{ action: "updated", record: { id, title: "one!" } }]);
  });

  it("subscribe - filter, events and select shape deliveries; entered and left count as updated", async () => {
    const changes: Change[] = [];
    await client()
      .collection("notes")
      .subscribe("*", (change) => changes.push(change), {
        filter: 'status = "live"',
        events: ["updated"],
        select: ["title"],
      });
    const { id } = await write("POST", "notes/records", { title: "t", status: "draft" });
    await write("POST", "notes/records", { title: "born live", status: "live" });
    await write("PATCH", `notes/records/${id}`, { status: "live" });
    await write("PATCH", `notes/records/${id}`, { title: "t2" });
    await write("PATCH", `notes/records/${id}`, { status: "draft" });
    await write("PATCH", `notes/records/${id}`, { title: "unseen" });
    await eventually(() => expect(changes).toHaveLength(3));
    await pause();
    expect(changes.map((c) => c.action)).toEqual(["entered", "updated", "left"]);
    expect(changes[0]?.record).toMatchObject({ id, title: "t" });
    expect(changes[0]?.record).not.toHaveProperty("status");
    expect(changes[2]?.record).toEqual({
      id,
      collectionId: expect.any(String),
      collectionName: "notes",
    });
  });

  it("routing - subscriptions sharing a channel each get every change once", async () => {
    const t = client();
    const first: Change[] = [];
    const second: Change[] = [];
    const filtered: Change[] = [];
    const a = await t.collection("posts").subscribe("*", (c) => first.push(c));
    const b = await t.collection("posts").subscribe("*", (c) => second.push(c));
    const c = await t
      .collection("posts")
      .subscribe("*", (change) => filtered.push(change), { filter: 'title = "x"' });
    expect(a.channel).toBe(b.channel);
    expect(c.channel).not.toBe(a.channel);
    await write("POST", "posts/records", { title: "x" });
    await eventually(() =>
      expect([first, second, filtered].map((l) => l.length)).toEqual([1, 1, 1]),
    );

    await a.unsubscribe();
    await write("POST", "posts/records", { title: "y" });
    await eventually(() => expect(second).toHaveLength(2));
    await pause();
    expect([first.length, filtered.length]).toEqual([1, 1]);
  });

  it("errors - refusals are TidingsErrors with codes, predicates and data", async () => {
    const posts = client().collection("posts");
    const refusal = (run: Promise<unknown>) =>
      run.then(
        () => undefined,
        (error: unknown) => error,
      );

    const missing = await refusal(
      client()
        .collection("ghosts")
        .subscribe("*", () => {}),
    );
    expect(missing).toBeInstanceOf(TidingsError);
    expect(isNotFound(missing)).toBe(true);
    expect(missing).toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("ghosts"),
    });

    const locked = await refusal(
      client()
        .collection("locked")
        .subscribe("*", () => {}),
    );
    expect(isForbidden(locked)).toBe(true);

    const bad = await refusal(posts.subscribe("*", () => {}, { filter: 'title = "x" &&' }));
    expect(isInvalidFilter(bad)).toBe(true);
    expect(isForbidden(bad)).toBe(false);
    expect((bad as TidingsError).data).toEqual({ position: expect.any(Number) });
  });

  it("resubscribe - after a rule change the subscription moves to its new channel and misses nothing", async () => {
    const changes: Change[] = [];
    const sub = await client()
      .collection("ruled")
      .subscribe("*", (change) => changes.push(change));
    const before = sub.channel;
    await write("POST", "ruled/records", { title: "1" });
    await eventually(() => expect(changes).toHaveLength(1));
    const patched = await cluster.call("PATCH", "/api/collections/ruled", {
      token: cluster.superuser.token,
      body: { listRule: 'status != "hidden"' },
    });
    expect(patched.status).toBe(200);
    // The first event after the change finds the old channel stale: the server says `resubscribe`
    // and the event reaches the client through the resume.
    await write("POST", "ruled/records", { title: "2", status: "shown" });
    await write("POST", "ruled/records", { title: "3", status: "hidden" });
    await write("POST", "ruled/records", { title: "4", status: "shown" });
    await eventually(() =>
      expect(changes.map((c) => (c.record as { title?: string }).title)).toEqual(["1", "2", "4"]),
    );
    expect(sub.channel).not.toBe(before);
    await pause();
    expect(changes).toHaveLength(3);
  });

  it("writer exclusion - a write sent with X-Socket-Id = client.id skips its own connection", async () => {
    const writer = client();
    const mine: Change[] = [];
    const theirs: Change[] = [];
    await writer.collection("posts").subscribe("*", (c) => mine.push(c));
    await client()
      .collection("posts")
      .subscribe("*", (c) => theirs.push(c));
    await write("POST", "posts/records", { title: "quiet" }, writer.id);
    await eventually(() => expect(theirs).toHaveLength(1));
    await pause();
    expect(mine).toHaveLength(0);
  });

  it("state - connecting, then open; close() makes it closed and ends subscriptions", async () => {
    const t = client();
    const states: ConnectionState[] = [t.state];
    t.on("state", (state) => states.push(state));
    const changes: Change[] = [];
    const sub = await t.collection("posts").subscribe("*", (c) => changes.push(c));
    expect(states).toEqual(["connecting", "open"]);
    t.close();
    expect(states).toEqual(["connecting", "open", "closed"]);
    expect(sub.active).toBe(false);
    await write("POST", "posts/records", { title: "after close" });
    await pause();
    expect(changes).toHaveLength(0);
    await expect(t.collection("posts").subscribe("*", () => {})).rejects.toThrow(TidingsError);
  });

  it("state - an unreachable server keeps the client connecting; close() refuses waiting subscribes", async () => {
    const t = createClient("http://127.0.0.1:1", {
      socket: { transports: ["websocket"], reconnectionDelay: 50, reconnectionDelayMax: 100 },
    });
    const errors: TidingsError[] = [];
    t.on("error", (error) => errors.push(error));
    const waiting = t.collection("posts").subscribe("*", () => {});
    await eventually(() => expect(errors.length).toBeGreaterThan(1));
    expect(t.state).toBe("connecting");
    expect(errors.every((error) => error.code === "UNAVAILABLE")).toBe(true);
    t.close();
    await expect(waiting).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(t.state).toBe("closed");
  });
});
