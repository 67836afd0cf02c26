import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { openCollection } from "../../support/collections.ts";
import { eventually } from "../../support/socket-calls.ts";
import { openContent } from "./content-client.ts";

const fields = [
  { name: "title", type: "text" },
  { name: "status", type: "text" },
  { name: "views", type: "number" },
  { name: "meta", type: "json" },
  { name: "secret", type: "text", hidden: true },
];
describe("FastSchema realtime: events, filter and select", () => {
  let cluster: Cluster;
  let collections = 0;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
  });
  afterAll(() => cluster?.[Symbol.asyncDispose]());

  async function schema(): Promise<string> {
    const name = `posts${++collections}`;
    await cluster.collection(openCollection(name, fields));
    return name;
  }

  async function create(name: string, body: Record<string, unknown>) {
    const answer = await cluster.call("POST", `/api/collections/${name}/records`, { body });
    expect(answer.status).toBe(201);
    return answer.body as { id: string } & Record<string, unknown>;
  }

  async function update(name: string, id: string, body: Record<string, unknown>) {
    const answer = await cluster.call("PATCH", `/api/collections/${name}/records/${id}`, { body });
    expect(answer.status).toBe(200);
  }

  async function remove(name: string, id: string) {
    const answer = await cluster.call("DELETE", `/api/collections/${name}/records/${id}`);
    expect(answer.status).toBe(204);
  }

  it("event=create - a create arrives as one record; updates are not sent", async () => {
    const name = await schema();
    const client = await openContent(cluster, { schema: name, event: "create" });
    const first = await create(name, { title: "one", secret: "s" });
    await update(name, first.id, { title: "changed" });
    const second = await create(name, { title: "two" });
    await eventually(() => expect(client.messages).toHaveLength(2));
    expect(client.messages).toEqual([
      { event: "create", data: expect.objectContaining({ id: first.id, title: "one" }) },
      { event: "create", data: expect.objectContaining({ id: second.id, title: "two" }) },
    ]);
    expect(client.messages[0]?.data).not.toHaveProperty("secret");
  });

  it("event=update - an array of the new records; with id, one record and only that id", async () => {
    const name = await schema();
    const a = await create(name, { title: "a" });
    const b = await create(name, { title: "b" });
    const all = await openContent(cluster, { schema: name, event: "update" });
    const one = await openContent(cluster, { schema: name, event: "update", id: a.id });
    await update(name, b.id, { title: "b2" });
    await update(name, a.id, { title: "a2" });
    await eventually(() => expect(all.messages).toHaveLength(2));
    expect(all.messages).toEqual([
      { event: "update", data: [expect.objectContaining({ id: b.id, title: "b2" })] },
      { event: "update", data: [expect.objectContaining({ id: a.id, title: "a2" })] },
    ]);
    await eventually(() => expect(one.messages).toHaveLength(1));
    expect(one.messages).toEqual([
      { event: "update", data: expect.objectContaining({ id: a.id, title: "a2" }) },
    ]);
  });

  it("event=delete - an array holding the deleted record; filter and select apply to it", async () => {
    const name = await schema();
    const gone = await create(name, { title: "gone", status: "keep" });
    const other = await create(name, { title: "other", status: "drop" });
    const kept = await create(name, { title: "kept", status: "keep" });
    const all = await openContent(cluster, { schema: name, event: "delete" });
    const one = await openContent(cluster, { schema: name, event: "delete", id: kept.id });
    const filtered = await openContent(cluster, {
      schema: name,
      event: "delete",
      filter: JSON.stringify({ status: "keep" }),
      select: "title",
    });
    await remove(name, gone.id);
    await remove(name, other.id);
    await remove(name, kept.id);
    await eventually(() => expect(all.messages).toHaveLength(3));
    expect(all.messages[0]).toEqual({
      event: "delete",
      data: [expect.objectContaining({ id: gone.id, title: "gone", status: "keep" })],
    });
    await eventually(() => expect(one.messages).toHaveLength(1));
    expect(one.messages[0]).toEqual({
      event: "delete",
      data: expect.objectContaining({ id: kept.id, title: "kept" }),
    });
    await eventually(() => expect(filtered.messages).toHaveLength(2));
    expect(filtered.messages).toEqual([
      { event: "delete", data: [{ id: gone.id, title: "gone" }] },
      { event: "delete", data: [{ id: kept.id, title: "kept" }] },
    ]);
  });

  it("event=* - every event; with id, only that record's (unlike FastSchema, which sends none)", async () => {
    const name = await schema();
    const watched = await create(name, { title: "watched" });
    const all = await openContent(cluster, { schema: name, event: "*" });
    const defaulted = await openContent(cluster, { schema: name });
    const one = await openContent(cluster, { schema: name, event: "*", id: watched.id });
    const other = await create(name, { title: "other" });
    await update(name, other.id, { title: "other2" });
    await update(name, watched.id, { title: "watched2" });
    await remove(name, other.id);
    await remove(name, watched.id);
    const expected = [
      { event: "create", data: expect.objectContaining({ id: other.id, title: "other" }) },
      { event: "update", data: [expect.objectContaining({ id: other.id, title: "other2" })] },
      { event: "update", data: [expect.objectContaining({ id: watched.id, title: "watched2" })] },
      { event: "delete", data: [expect.objectContaining({ id: other.id })] },
      { event: "delete", data: [expect.objectContaining({ id: watched.id })] },
    ];
    await eventually(() => expect(all.messages).toEqual(expected));
    await eventually(() => expect(defaulted.messages).toEqual(expected));
    await eventually(() =>
      expect(one.messages).toEqual([
        { event: "update", data: expect.objectContaining({ id: watched.id, title: "watched2" }) },
        { event: "delete", data: expect.objectContaining({ id: watched.id }) },
      ]),
    );
  });

  it("filter - equality, $gt, $in, $null, $or, $containsfold and json paths send only matches", async () => {
    const name = await schema();
    const filters: [object, string[]][] = [
      [{ status: "published" }, ["pub"]],
      [{ views: { $gt: 10 } }, ["views", "or2"]],
      [{ status: { $in: ["a", "b"] } }, ["in"]],
      [{ status: { $null: true } }, ["null"]],
      [{ $or: [{ views: { $gt: 100 } }, { status: "hot" }] }, ["or", "or2"]],
      [{ title: { $containsfold: "HELLO" } }, ["Say HeLLo"]],
      [{ "meta.rank": { $gte: 3 } }, ["path"]],
    ];
    const clients = await Promise.all(
      filters.map(([filter]) =>
        openContent(cluster, { schema: name, event: "create", filter: JSON.stringify(filter) }),
      ),
    );
    // Records no filter matches come first: a client has all of its matches only after them.
    for (const body of [
      { title: "n1", status: "draft", views: 1, meta: { rank: 0 } },
      { title: "n2", status: "b-", views: 10, meta: { rank: 2 } },
      { title: "pub", status: "published", views: 0 },
      { title: "views", status: "draft", views: 20 },
      { title: "in", status: "a", views: 0 },
      { title: "null", views: 0 },
      { title: "or", status: "hot", views: 0 },
      { title: "or2", status: "draft", views: 200 },
      { title: "Say HeLLo", status: "draft", views: 0 },
      { title: "path", status: "draft", views: 0, meta: { rank: 5 } },
    ])
      await create(name, body);
    for (const [index, [filter, titles]] of filters.entries()) {
      await eventually(() =>
        expect(
          clients[index]!.messages.map((m) => m.data.title),
          JSON.stringify(filter),
        ).toEqual(titles),
      );
    }
  });

  it("filter - an update that makes a record match is sent, one that makes it leave is not", async () => {
    const name = await schema();
    const post = await create(name, { title: "p", status: "draft" });
    const client = await openContent(cluster, {
      schema: name,
      event: "update",
      filter: JSON.stringify({ status: "published" }),
    });
    await update(name, post.id, { status: "published" });
    await update(name, post.id, { status: "draft" });
    await update(name, post.id, { status: "published", title: "again" });
    await eventually(() => expect(client.messages).toHaveLength(2));
    expect(client.messages.map((m) => [m.event, m.data[0].status, m.data[0].title])).toEqual([
      ["update", "published", "p"],
      ["update", "published", "again"],
    ]);
  });

  it("select=id,title - records hold exactly id and title", async () => {
    const name = await schema();
    const client = await openContent(cluster, { schema: name, select: "id,title" });
    const post = await create(name, { title: "t", status: "s", views: 3 });
    await update(name, post.id, { title: "t2" });
    await eventually(() => expect(client.messages).toHaveLength(2));
    expect(client.messages).toEqual([
      { event: "create", data: { id: post.id, title: "t" } },
      { event: "update", data: [{ id: post.id, title: "t2" }] },
    ]);
  });

  it("cluster - a client on node 1 receives a change written on node 0", async () => {
    const name = await schema();
    const client = await openContent(cluster, { schema: name, event: "create" }, { on: 1 });
    const post = await create(name, { title: "across" });
    await eventually(() =>
      expect(client.messages).toEqual([
        { event: "create", data: expect.objectContaining({ id: post.id, title: "across" }) },
      ]),
    );
  });
});
