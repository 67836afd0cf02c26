import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { OPEN_RULES } from "../../support/collections.ts";
import { pause } from "../../support/socket-calls.ts";
import { connectFluxbase, type FluxbaseSocket } from "./fluxbase-socket.ts";

describe("fluxbase: table subscriptions", () => {
  let cluster: Cluster;
  let url: string;

  beforeAll(async () => {
    // The subscription limit test sends 101 messages, past the default rate limit.
    cluster = await startCluster({ env: { TIDINGS_MAX_MESSAGES_PER_MINUTE: "1000" } });
    url = cluster.nodes[0]!.url;
    await cluster.collection({
      name: "posts",
      fields: [
        { name: "title", type: "text" },
        { name: "status", type: "text" },
        { name: "n", type: "number" },
        { name: "note", type: "text" },
      ],
      ...OPEN_RULES,
    });
  });
  afterAll(async () => {
    await cluster?.[Symbol.asyncDispose]();
  });

  const create = async (body: Record<string, unknown>) =>
    (await cluster.call("POST", "/api/collections/posts/records", { body })).body;
  const update = (id: string, body: Record<string, unknown>) =>
    cluster.call("PATCH", `/api/collections/posts/records/${id}`, { body });

  async function subscribe(socket: FluxbaseSocket, message: Record<string, unknown>) {
    socket.send({ type: "subscribe", ...message });
    return socket.next({ type: "ack" });
  }

  it("subscribes with the documented channel form and acks with status and subscription_id", async () => {
    const socket = await connectFluxbase(url);
    const ack = await subscribe(socket, { channel: "table:public.posts" });
    expect(ack).toEqual({
      type: "ack",
      channel: "table:public.posts",
      status: "subscribed",
      payload: {
        subscribed: true,
        subscription_id: expect.any(String),
        schema: "public",
        table: "posts",
        event: "*",
      },
    });
    const { id } = await create({ title: "documented" });
    expect(await socket.next({ type: "broadcast" })).toEqual({
      type: "broadcast",
      channel: "table:public.posts",
      payload: {
        type: "INSERT",
        schema: "public",
        table: "posts",
        record: expect.objectContaining({ id, title: "documented" }),
        timestamp: expect.any(String),
      },
    });
    await socket.close();
  });

  it("takes the SDK's config form: INSERT only, so an update sends nothing", async () => {
    const socket = await connectFluxbase(url);
    const ack = await subscribe(socket, {
      channel: "x",
      config: { event: "INSERT", schema: "public", table: "posts" },
    });
    expect(ack.payload).toMatchObject({ table: "posts", event: "INSERT" });
    const watcher = await connectFluxbase(url);
    await subscribe(watcher, { table: "posts", event: "UPDATE" });
    const { id } = await create({ title: "a" });
    expect((await socket.next({ type: "broadcast" })).payload).toMatchObject({
      type: "INSERT",
      record: { id },
    });
    await update(id, { title: "b" });
    expect((await watcher.next({ type: "broadcast" })).payload.type).toBe("UPDATE");
    await pause();
    expect(socket.take({ type: "broadcast" })).toEqual([]);
    await socket.close();
    await watcher.close();
  });

  it("sends UPDATE with record and old_record, and DELETE with old_record", async () => {
    const socket = await connectFluxbase(url);
    await subscribe(socket, { channel: "table:public.posts" });
    const { id } = await create({ title: "v1" });
    await socket.next({ type: "broadcast" });
    await update(id, { title: "v2" });
    expect((await socket.next({ type: "broadcast" })).payload).toMatchObject({
      type: "UPDATE",
      record: { id, title: "v2" },
      old_record: { id, title: "v1" },
    });
    await cluster.call("DELETE", `/api/collections/posts/records/${id}`);
    const deleted = (await socket.next({ type: "broadcast" })).payload;
    expect(deleted).toMatchObject({ type: "DELETE", old_record: { id, title: "v2" } });
    expect(deleted).not.toHaveProperty("record");
    await socket.close();
  });

  it("delivers only what the filter matches: eq, in, gt and is.null", async () => {
    const socket = await connectFluxbase(url);
    const filters = {
      eq: "status=eq.published",
      in: "status=in.(a,b)",
      gt: "n=gt.5",
      null: "note=is.null",
    };
    for (const [channel, filter] of Object.entries(filters)) {
      const ack = await subscribe(socket, { channel, config: { table: "posts", filter } });
      expect(ack.payload.filter).toBe(filter);
    }
    const rows = [
      { title: "p", status: "published", n: 1, note: "x" },
      { title: "a", status: "a", n: 6, note: "x" },
      { title: "b", status: "b", n: 5, note: "x" },
      { title: "c", status: "c", n: 10 },
    ];
    for (const row of rows) await create(row);
    const last = await create({ title: "end", status: "published", n: 0, note: "x" });
    await socket.next((f) => f.channel === "eq" && f.payload.record.id === last.id);
    const titles = (channel: string) =>
      socket
        .take((f) => f.type === "broadcast" && f.channel === channel)
        .map((f) => f.payload.record.title);
    expect(titles("eq")).toEqual(["p"]);
    await socket.settle();
    expect(titles("in")).toEqual(["a", "b"]);
    expect(titles("gt")).toEqual(["a", "c"]);
    expect(titles("null")).toEqual(["c"]);
    await socket.close();
  });

  it("a record entering the filter is an UPDATE; one leaving it sends nothing, not its new content", async () => {
    const socket = await connectFluxbase(url);
    await subscribe(socket, {
      channel: "published",
      filter: "status=eq.published",
      table: "posts",
    });
    const { id } = await create({ title: "draft", status: "draft" });
    await update(id, { title: "live", status: "published" });
    const entered = (await socket.next({ type: "broadcast" })).payload;
    expect(entered).toMatchObject({ type: "UPDATE", record: { id, title: "live" } });
    expect(entered).not.toHaveProperty("old_record");
    await update(id, { title: "secret", status: "draft" });
    const marker = await create({ title: "marker", status: "published" });
    expect((await socket.next({ type: "broadcast" })).payload.record.id).toBe(marker.id);
    expect(JSON.stringify(socket.frames)).not.toContain("secret");
    await socket.close();
  });

  it("refuses a bad filter, an unknown table and a bad event with SUBSCRIPTION_FAILED", async () => {
    const socket = await connectFluxbase(url);
    socket.send({ type: "subscribe", channel: "table:public.posts", filter: "status=maybe.x" });
    expect(await socket.next()).toMatchObject({
      type: "error",
      code: "SUBSCRIPTION_FAILED",
      error: 'invalid filter: unknown operator "maybe" at 7',
      channel: "table:public.posts",
    });
    socket.send({ type: "subscribe", channel: "table:public.nope" });
    expect(await socket.next()).toMatchObject({
      code: "SUBSCRIPTION_FAILED",
      error: "table public.nope does not exist",
    });
    socket.send({ type: "subscribe", table: "posts", event: "TRUNCATE" });
    expect(await socket.next()).toMatchObject({ code: "SUBSCRIPTION_FAILED" });
    socket.send({ type: "subscribe", channel: "table:" });
    expect(await socket.next()).toMatchObject({
      code: "INVALID_CHANNEL",
      error: "table is required for subscribe",
    });
    await socket.close();
  });

  it("unsubscribes one subscription_id, after which its events stop", async () => {
    const socket = await connectFluxbase(url);
    const gone = await subscribe(socket, { channel: "gone", table: "posts" });
    await subscribe(socket, { channel: "kept", table: "posts" });
    const id = gone.payload.subscription_id;
    socket.send({ type: "unsubscribe", channel: "gone", subscription_id: id });
    expect(await socket.next({ type: "ack" })).toEqual({
      type: "ack",
      channel: "gone",
      payload: { unsubscribed: true, subscription_id: id },
    });
    const { id: recordId } = await create({ title: "after" });
    await socket.next((f) => f.channel === "kept" && f.payload.record.id === recordId);
    await socket.settle();
    expect(socket.take((f) => f.channel === "gone")).toEqual([]);
    socket.send({ type: "unsubscribe" });
    expect((await socket.next({ type: "ack" })).payload).toEqual({ unsubscribed: true });
    const prisma = cluster.nodes[0]!.server.records.db.prisma;
    expect(
      await prisma.realtimeSubscription.count({
        where: { connection: { protocol: "fluxbase", disconnectedAt: null } },
      }),
    ).toBe(0);
    await socket.close();
  });

  it("holds at most 100 subscriptions per connection", async () => {
    const socket = await connectFluxbase(url);
    for (let i = 0; i < 100; i += 1) socket.send({ type: "subscribe", table: "posts" });
    for (let i = 0; i < 100; i += 1) await socket.next({ type: "ack" });
    socket.send({ type: "subscribe", table: "posts" });
    expect(await socket.next()).toMatchObject({
      type: "error",
      code: "SUBSCRIPTION_FAILED",
      error: "At most 100 subscriptions per connection.",
    });
    await socket.close();
  });
});

describe("fluxbase: rules", () => {
  it("asks anonymous clients to sign in, and gives a user without list access no events", async () => {
    await using cluster = await startCluster();
    const url = cluster.nodes[0]!.url;
    await cluster.collection({
      name: "notes",
      fields: [
        { name: "text", type: "text" },
        { name: "owner", type: "text" },
      ],
      listRule: "@request.auth.id != '' && owner = @request.auth.id",
      viewRule: "owner = @request.auth.id",
      createRule: "",
    });
    await cluster.collection({ name: "vault", fields: [{ name: "text", type: "text" }] });
    await cluster.collection({ name: "quiet", fields: [], realtime: false, listRule: "" });

    const anonymous = await connectFluxbase(url);
    anonymous.send({ type: "subscribe", channel: "table:public.notes" });
    expect(await anonymous.next()).toEqual({
      type: "error",
      error: "authentication required for subscriptions",
      code: "UNAUTHORIZED",
      message: "authentication required for subscriptions",
      channel: "table:public.notes",
    });
    anonymous.send({ type: "subscribe", channel: "table:public.quiet" });
    expect(await anonymous.next()).toMatchObject({
      code: "FORBIDDEN",
      error: "table public.quiet not enabled for realtime",
    });

    const alice = await cluster.user();
    const bob = await cluster.user();
    const a = await connectFluxbase(url, { token: alice.token });
    const b = await connectFluxbase(url, { token: bob.token });
    a.send({ type: "subscribe", channel: "table:public.notes" });
    b.send({ type: "subscribe", channel: "table:public.notes" });
    await a.next({ type: "ack" });
    await b.next({ type: "ack" });
    b.send({ type: "subscribe", channel: "table:public.vault" });
    expect(await b.next()).toMatchObject({ type: "error", code: "FORBIDDEN" });
    const { id } = (
      await cluster.call("POST", "/api/collections/notes/records", {
        body: { text: "alice's", owner: alice.user.id },
      })
    ).body;
    expect((await a.next({ type: "broadcast" })).payload.record.id).toBe(id);
    await pause();
    expect(b.take({ type: "broadcast" })).toEqual([]);
    for (const socket of [anonymous, a, b]) await socket.close();
  });
});
