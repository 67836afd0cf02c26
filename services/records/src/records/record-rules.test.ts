import { describe, expect, it } from "vitest";
import {
  type RecordsHarness,
  type TestUser,
  useRecordsHarness,
} from "../testing/records-harness.ts";

const docs = {
  name: "docs",
  fields: [
    { name: "title", type: "text" },
    { name: "status", type: "text" },
    { name: "owner", type: "relation", collection: "users" },
  ],
  listRule: "status = 'public' || owner = @request.auth.id",
  viewRule: "status = 'public' || owner = @request.auth.id",
  createRule: "@request.auth.id != null && owner = @request.auth.id",
  updateRule: "owner = @request.auth.id",
  deleteRule: null,
};

async function setup(h: RecordsHarness) {
  await h.collection(docs);
  const alice = await h.user({ email: "alice@example.com" });
  const bob = await h.user({ email: "bob@example.com" });
  const write = async (who: TestUser, body: Record<string, unknown>) =>
    (
      await h.call("POST", "/api/collections/docs/records", {
        token: who.token,
        body: { owner: who.user.id, ...body },
      })
    ).body;
  const alicePrivate = await write(alice, { title: "a-private", status: "draft" });
  const alicePublic = await write(alice, { title: "a-public", status: "public" });
  const bobPrivate = await write(bob, { title: "b-private", status: "draft" });
  return { alice, bob, alicePrivate, alicePublic, bobPrivate };
}

const titles = (body: { items: { title: string }[] }) => body.items.map((r) => r.title).sort();

describe.each(["postgres", "pglite"] as const)("record rules on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("listRule - each user lists what the rule shows them; anonymous the public part", async () => {
    const harness = h();
    const { alice, bob } = await setup(harness);
    const list = (token?: string) =>
      harness.call("GET", "/api/collections/docs/records", { token });
    expect(titles((await list(alice.token)).body)).toEqual(["a-private", "a-public"]);
    expect(titles((await list(bob.token)).body)).toEqual(["a-public", "b-private"]);
    expect(titles((await list()).body)).toEqual(["a-public"]);
    expect(titles((await list(harness.superuser.token)).body)).toEqual([
      "a-private",
      "a-public",
      "b-private",
    ]);
    // A client filter narrows the rule; it never widens it.
    const widened = await harness.call(
      "GET",
      `/api/collections/docs/records?filter=${encodeURIComponent("status = 'draft' || status != 'draft'")}`,
      { token: bob.token },
    );
    expect(titles(widened.body)).toEqual(["a-public", "b-private"]);
    expect(widened.body.totalItems).toBe(2);
  });

  it("listRule null - only superusers may list", async () => {
    const harness = h();
    const { alice } = await setup(harness);
    await harness.call("PATCH", "/api/collections/docs", {
      token: harness.superuser.token,
      body: { listRule: null },
    });
    const refused = await harness.call("GET", "/api/collections/docs/records", {
      token: alice.token,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("FORBIDDEN");
    expect(
      (
        await harness.call("GET", "/api/collections/docs/records", {
          token: harness.superuser.token,
        })
      ).status,
    ).toBe(200);
  });

  it("viewRule - a record the rule hides is NOT_FOUND; null is FORBIDDEN", async () => {
    const harness = h();
    const { alice, bob, alicePrivate, alicePublic } = await setup(harness);
    const view = (id: string, token?: string) =>
      harness.call("GET", `/api/collections/docs/records/${id}`, { token });
    expect((await view(alicePrivate.id, alice.token)).status).toBe(200);
    expect((await view(alicePrivate.id, bob.token)).status).toBe(404);
    expect((await view(alicePrivate.id)).status).toBe(404);
    expect((await view(alicePublic.id)).status).toBe(200);
    await harness.call("PATCH", "/api/collections/docs", {
      token: harness.superuser.token,
      body: { viewRule: null },
    });
    expect((await view(alicePublic.id, alice.token)).status).toBe(403);
    expect((await view(alicePublic.id, harness.superuser.token)).status).toBe(200);
  });

  it("createRule - anonymous and writing for someone else are refused; own records allowed", async () => {
    const harness = h();
    const { alice, bob } = await setup(harness);
    const create = (body: Record<string, unknown>, token?: string) =>
      harness.call("POST", "/api/collections/docs/records", { token, body });
    const anonymous = await create({ title: "x", owner: alice.user.id });
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.code).toBe("FORBIDDEN");
    expect((await create({ title: "x", owner: alice.user.id }, bob.token)).status).toBe(403);
    expect((await create({ title: "x", owner: bob.user.id }, bob.token)).status).toBe(201);
    await harness.call("PATCH", "/api/collections/docs", {
      token: harness.superuser.token,
      body: { createRule: null },
    });
    expect((await create({ title: "y", owner: bob.user.id }, bob.token)).status).toBe(403);
    expect((await create({ title: "y", owner: bob.user.id }, harness.superuser.token)).status).toBe(
      201,
    );
    expect(await harness.db.prisma.record.count()).toBe(5);
  });

  it("updateRule - the owner may update; others get FORBIDDEN if they can see it, NOT_FOUND if not", async () => {
    const harness = h();
    const { alice, bob, alicePrivate, alicePublic } = await setup(harness);
    const update = (id: string, token?: string) =>
      harness.call("PATCH", `/api/collections/docs/records/${id}`, {
        token,
        body: { title: "changed" },
      });
    expect((await update(alicePrivate.id, alice.token)).status).toBe(200);
    const hidden = await update(alicePrivate.id, bob.token);
    expect(hidden.status).toBe(404);
    const visible = await update(alicePublic.id, bob.token);
    expect(visible.status).toBe(403);
    expect((await update(alicePublic.id)).status).toBe(403);
    expect((await update(alicePublic.id, harness.superuser.token)).status).toBe(200);
    const rows = await harness.db.prisma.record.findMany();
    expect(rows.filter((r) => (r.data as { title: string }).title === "changed")).toHaveLength(2);
  });

  it("deleteRule null - only superusers delete; an expression rule lets its matches through", async () => {
    const harness = h();
    const { alice, alicePrivate, alicePublic } = await setup(harness);
    const remove = (id: string, token?: string) =>
      harness.call("DELETE", `/api/collections/docs/records/${id}`, { token });
    expect((await remove(alicePrivate.id, alice.token)).status).toBe(403);
    expect((await remove(alicePrivate.id, harness.superuser.token)).status).toBe(204);
    await harness.call("PATCH", "/api/collections/docs", {
      token: harness.superuser.token,
      body: { deleteRule: "owner = @request.auth.id && status = 'public'" },
    });
    expect((await remove(alicePublic.id, alice.token)).status).toBe(204);
    expect(await harness.db.prisma.record.count()).toBe(1);
  });

  it("empty rule - anyone, including anonymous clients", async () => {
    const harness = h();
    await setup(harness);
    await harness.call("PATCH", "/api/collections/docs", {
      token: harness.superuser.token,
      body: { listRule: "", createRule: "" },
    });
    expect(titles((await harness.call("GET", "/api/collections/docs/records")).body)).toEqual([
      "a-private",
      "a-public",
      "b-private",
    ]);
    expect(
      (await harness.call("POST", "/api/collections/docs/records", { body: { title: "anon" } }))
        .status,
    ).toBe(201);
  });

  it("rules read any @request.auth field", async () => {
    const harness = h();
    await harness.collection({
      name: "board",
      fields: [{ name: "title", type: "text" }],
      listRule: "@request.auth.email ~ '@staff.example'",
      createRule: "",
    });
    await harness.call("POST", "/api/collections/board/records", { body: { title: "memo" } });
    const staff = await harness.user({ email: "sam@staff.example" });
    const outsider = await harness.user({ email: "sam@elsewhere.example" });
    expect(
      titles(
        (await harness.call("GET", "/api/collections/board/records", { token: staff.token })).body,
      ),
    ).toEqual(["memo"]);
    expect(
      titles(
        (await harness.call("GET", "/api/collections/board/records", { token: outsider.token }))
          .body,
      ),
    ).toEqual([]);
  });
});
