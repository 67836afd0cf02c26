import { newId } from "@tidings/db";
import type { TestUser } from "@tidings/records/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { createRecord, sdk } from "./pocketbase-support.ts";

describe("pocketbase SDK: records REST", () => {
  let cluster: Cluster;
  let url: string;
  let alice: TestUser;

  beforeAll(async () => {
    cluster = await startCluster({ redis: false });
    url = cluster.nodes[0]?.url as string;
    alice = await cluster.user();
    await cluster.collection({
      name: "tags",
      fields: [{ name: "label", type: "text" }],
      listRule: "",
      viewRule: "",
    });
    await cluster.collection({
      name: "posts",
      fields: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
        { name: "author", type: "relation", collection: "users" },
        { name: "tags", type: "relation", collection: "tags", multiple: true },
      ],
      listRule: "",
      viewRule: "",
      createRule: '@request.auth.id != ""',
      updateRule: "author = @request.auth.id",
      deleteRule: "author = @request.auth.id",
    });
    await cluster.collection({
      name: "bulk",
      fields: [{ name: "n", type: "number" }],
      listRule: "",
    });
  });

  afterAll(async () => {
    await cluster?.[Symbol.asyncDispose]();
  });

  it("create, getOne, update and delete under the rules, with the raw Authorization header", async () => {
    const pb = sdk(url, alice.token);
    const tag = await createRecord(cluster, "tags", { label: "news" });
    const created = await pb
      .collection("posts")
      .create({ title: "mine", author: alice.user.id, tags: [tag.id] }, { expand: "tags" });
    expect(created).toMatchObject({ title: "mine", collectionName: "posts" });
    expect(created.expand?.tags).toEqual([expect.objectContaining({ label: "news" })]);
    const one = await pb.collection("posts").getOne(created.id, { expand: "author,tags" });
    // The signed-in user sees their own email in an expansion; others would not.
    expect(one.expand?.author).toMatchObject({ id: alice.user.id, email: alice.user.email });
    const guestView = await sdk(url).collection("posts").getOne(created.id, { expand: "author" });
    expect(guestView.expand?.author).not.toHaveProperty("email");
    const updated = await pb.collection("posts").update(created.id, { title: "edited" });
    expect(updated).toMatchObject({ id: created.id, title: "edited" });
    await expect(sdk(url).collection("posts").create({ title: "guest" })).rejects.toMatchObject({
      status: 403,
    });
    expect(await pb.collection("posts").delete(created.id)).toBe(true);
    await expect(pb.collection("posts").getOne(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it("getList echoes the page size it used, skips totals on request and applies fields", async () => {
    const pb = sdk(url);
    for (let n = 0; n < 3; n += 1) await createRecord(cluster, "posts", { title: `p${n}`, n });
    const page = await pb.collection("posts").getList(1, 2, { sort: "n", fields: "id,title" });
    expect(page).toMatchObject({ page: 1, perPage: 2, totalItems: 3, totalPages: 2 });
    expect(page.items.map((item) => Object.keys(item).sort())).toEqual([
      ["id", "title"],
      ["id", "title"],
    ]);
    const skipped = await pb.collection("posts").getList(1, 5000, { skipTotal: true });
    expect(skipped).toMatchObject({ perPage: 1000, totalItems: -1, totalPages: -1 });
    expect((await pb.collection("posts").getList()).perPage).toBe(30);
    const first = await pb.collection("posts").getFirstListItem('title = "p1"');
    expect(first).toMatchObject({ title: "p1", n: 1 });
    await expect(pb.collection("posts").getFirstListItem('title = "none"')).rejects.toMatchObject({
      status: 404,
    });
  });

  it("getFullList pages through 2,500 records", async () => {
    const prisma = cluster.nodes[0]?.server.records.db.prisma;
    const bulk = await prisma?.collection.findUniqueOrThrow({ where: { name: "bulk" } });
    await prisma?.record.createMany({
      data: Array.from({ length: 2_500 }, (_, n) => ({
        collectionId: bulk?.id as string,
        id: newId(),
        data: { n },
      })),
    });
    const all = await sdk(url).collection("bulk").getFullList({ sort: "n" });
    expect(all).toHaveLength(2_500);
    expect(new Set(all.map((record) => record.n)).size).toBe(2_500);
  });
});
