import { describe, expect, it } from "vitest";
import { POSTS } from "../testing/posts-collection.ts";
import { useRecordsHarness } from "../testing/records-harness.ts";

describe.each(["postgres", "pglite"] as const)("rule tools on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("check - a good rule is valid; a bad one names its message and position", async () => {
    const { call, superuser, collection } = h();
    await collection(POSTS);
    const token = superuser.token;
    const good = await call("POST", "/api/admin/rules/check", {
      token,
      body: { collection: "posts", action: "listRule", rule: "owner = @request.auth.id" },
    });
    expect(good.status).toBe(200);
    expect(good.body).toEqual({ valid: true });
    const unknownField = await call("POST", "/api/admin/rules/check", {
      token,
      body: {
        collection: "posts",
        action: "listRule",
        rule: "owner = @request.auth.id && nope = 1",
      },
    });
    expect(unknownField.body).toMatchObject({ valid: false, position: 28 });
    expect(unknownField.body.message).toMatch(/^listRule: .*nope/);
    const syntax = await call("POST", "/api/admin/rules/check", {
      token,
      body: { collection: "posts", action: "viewRule", rule: "title = 'x' &&" },
    });
    expect(syntax.body).toMatchObject({ valid: false, position: 14 });
  });

  it("check - draft fields win over the stored ones; write rules may read the body", async () => {
    const { call, superuser } = h();
    const token = superuser.token;
    const draft = await call("POST", "/api/admin/rules/check", {
      token,
      body: {
        fields: [{ name: "status", type: "text" }],
        action: "createRule",
        rule: "@request.body.status = 'draft'",
      },
    });
    expect(draft.body).toEqual({ valid: true });
    const readRule = await call("POST", "/api/admin/rules/check", {
      token,
      body: { fields: [], action: "listRule", rule: "@request.body.status = 'draft'" },
    });
    expect(readRule.body.valid).toBe(false);
  });

  it("check - refuses non-superusers and bad bodies", async () => {
    const { call, user } = h();
    const someone = await user();
    const body = { fields: [], action: "listRule", rule: "" };
    expect((await call("POST", "/api/admin/rules/check", { body })).status).toBe(401);
    expect(
      (await call("POST", "/api/admin/rules/check", { token: someone.token, body })).status,
    ).toBe(403);
    const { superuser } = h();
    const bad = await call("POST", "/api/admin/rules/check", {
      token: superuser.token,
      body: { action: "everyRule", rule: 3 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("VALIDATION_FAILED");
    expect(Object.keys(bad.body.data).sort()).toEqual(["action", "rule"]);
    const missing = await call("POST", "/api/admin/rules/check", {
      token: superuser.token,
      body: { collection: "nothing", action: "listRule", rule: "" },
    });
    expect(missing.status).toBe(404);
  });

  it("preview - the records a chosen user would read under an unsaved rule", async () => {
    const { call, superuser, collection, user } = h();
    await collection(POSTS);
    const ann = await user();
    const bob = await user();
    for (const [title, owner] of [
      ["a1", ann.user.id],
      ["b1", bob.user.id],
      ["a2", ann.user.id],
    ] as const) {
      const created = await call("POST", "/api/collections/posts/records", {
        token: superuser.token,
        body: { title, owner, secret: "s" },
      });
      expect(created.status).toBe(201);
    }
    const preview = (userId: string | null, rule: string | null, filter?: string) =>
      call("POST", "/api/admin/rules/preview", {
        token: superuser.token,
        body: { collection: "posts", rule, userId, ...(filter && { filter }) },
      });
    const mine = await preview(ann.user.id, "owner = @request.auth.id");
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ access: "rule", totalItems: 2, user: { id: ann.user.id } });
    expect(mine.body.items.map((r: { title: string }) => r.title)).toEqual(["a1", "a2"]);
    expect(mine.body.items[0]).not.toHaveProperty("secret");
    const narrowed = await preview(ann.user.id, "owner = @request.auth.id", "title = 'a2'");
    expect(narrowed.body.items.map((r: { title: string }) => r.title)).toEqual(["a2"]);
    const anonymous = await preview(null, "owner = @request.auth.id");
    expect(anonymous.body).toMatchObject({ user: null, totalItems: 0, items: [] });
    const closed = await preview(bob.user.id, null);
    expect(closed.body).toMatchObject({ access: "superusers-only", totalItems: 0 });
    const admin = await preview(superuser.user.id, null);
    expect(admin.body).toMatchObject({ access: "superuser", totalItems: 3 });
    const broken = await preview(ann.user.id, "owner ==");
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe("INVALID_RULE");
    const nobody = await preview("nosuchuser", "");
    expect(nobody.status).toBe(404);
  });
});
