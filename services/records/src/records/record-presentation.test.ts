import { describe, expect, it } from "vitest";
import { type RecordsHarness, useRecordsHarness } from "../testing/records-harness.ts";

const anyone = { listRule: "", viewRule: "", createRule: "", updateRule: "", deleteRule: "" };

async function seed(h: RecordsHarness) {
  const owner = await h.user();
  await h.collection({
    name: "tags",
    fields: [
      { name: "label", type: "text" },
      { name: "code", type: "text", hidden: true },
      { name: "owner", type: "relation", collection: "users" },
    ],
    ...anyone,
    // Only tags marked public may be viewed by others than superusers.
    viewRule: "label != 'private'",
  });
  await h.collection({
    name: "posts",
    fields: [
      { name: "title", type: "text" },
      { name: "author", type: "relation", collection: "users" },
      { name: "tags", type: "relation", collection: "tags", multiple: true },
      { name: "main", type: "relation", collection: "tags" },
    ],
    ...anyone,
  });
  const tag = async (label: string) =>
    (
      await h.call("POST", "/api/collections/tags/records", {
        body: { label, code: "x", owner: owner.user.id },
      })
    ).body;
  const [a, b, hidden] = [await tag("a"), await tag("b"), await tag("private")];
  const post = (
    await h.call("POST", "/api/collections/posts/records", {
      body: { title: "t", author: owner.user.id, tags: [b.id, hidden.id, a.id], main: hidden.id },
    })
  ).body;
  return { owner, a, b, hidden, post };
}

describe.each(["postgres", "pglite"] as const)("expand and fields on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("expand adds the related records the requester may view, in the relation's order", async () => {
    const { owner, a, b, post } = await seed(h());
    const answer = await h().call(
      "GET",
      `/api/collections/posts/records/${post.id}?expand=tags,main,author`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.expand.tags.map((tag: { id: string }) => tag.id)).toEqual([b.id, a.id]);
    expect(answer.body.expand.tags[0]).not.toHaveProperty("code");
    expect(answer.body.expand).not.toHaveProperty("main");
    expect(answer.body.expand.author).toEqual({
      id: owner.user.id,
      collectionId: "users",
      collectionName: "users",
      created: owner.user.created,
      updated: owner.user.updated,
      name: "",
      verified: false,
    });
    const asOwner = await h().call(
      "GET",
      `/api/collections/posts/records/${post.id}?expand=author`,
      {
        token: owner.token,
      },
    );
    expect(asOwner.body.expand.author.email).toBe(owner.user.email);
    const asSuperuser = await h().call(
      "GET",
      `/api/collections/posts/records/${post.id}?expand=main`,
      {
        token: h().superuser.token,
      },
    );
    expect(asSuperuser.body.expand.main).toMatchObject({ label: "private" });
  });

  it("expands relations of expanded records, and lists expand every item", async () => {
    const { owner } = await seed(h());
    const list = await h().call("GET", "/api/collections/posts/records?expand=tags.owner");
    expect(list.status).toBe(200);
    const [item] = list.body.items;
    expect(item.expand.tags[0].expand.owner).toMatchObject({ id: owner.user.id });
    expect(item).not.toHaveProperty("expand.author");
  });

  it("fields narrows list items and single records, expansions included", async () => {
    const { post } = await seed(h());
    const list = await h().call("GET", "/api/collections/posts/records?fields=id,title&perPage=5");
    expect(list.body).toMatchObject({ page: 1, perPage: 5, totalItems: 1 });
    expect(list.body.items).toEqual([{ id: post.id, title: "t" }]);
    const one = await h().call(
      "GET",
      `/api/collections/posts/records/${post.id}?expand=tags&fields=title,expand.tags.label`,
    );
    expect(one.body).toEqual({ title: "t", expand: { tags: [{ label: "b" }, { label: "a" }] } });
  });

  it("create and update answer with the expansion asked for", async () => {
    const { a } = await seed(h());
    const created = await h().call("POST", "/api/collections/posts/records?expand=main", {
      body: { title: "new", main: a.id },
    });
    expect(created.status).toBe(201);
    expect(created.body.expand.main).toMatchObject({ id: a.id, label: "a" });
    const updated = await h().call(
      "PATCH",
      `/api/collections/posts/records/${created.body.id}?fields=title`,
      { body: { title: "renamed" } },
    );
    expect(updated.body).toEqual({ title: "renamed" });
  });

  it("an expand that names no relation is VALIDATION_FAILED, before anything is written", async () => {
    await seed(h());
    const before = await h().db.prisma.record.count();
    for (const expand of ["title", "nope", "author.x", "a.b.c.d.e.f.g", "bad name"]) {
      const answer = await h().call(
        "POST",
        `/api/collections/posts/records?expand=${encodeURIComponent(expand)}`,
        {
          body: { title: "never" },
        },
      );
      expect(answer.status, expand).toBe(400);
      expect(answer.body.data.expand.code).toBe("invalid_expand");
    }
    expect(await h().db.prisma.record.count()).toBe(before);
  });
});
