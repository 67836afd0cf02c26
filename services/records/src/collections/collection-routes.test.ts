import { describe, expect, it } from "vitest";
import { POSTS } from "../testing/posts-collection.ts";
import { useRecordsHarness } from "../testing/records-harness.ts";

describe.each(["postgres", "pglite"] as const)("collections on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("create - stores fields, rules with defaults, and answers the definition", async () => {
    const { call, superuser } = h();
    const answer = await call("POST", "/api/collections", { token: superuser.token, body: POSTS });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      name: "posts",
      type: "base",
      listRule: "",
      viewRule: "owner = @request.auth.id",
      createRule: null,
      updateRule: null,
      deleteRule: null,
      realtime: true,
    });
    expect(answer.body.fields[1]).toEqual({
      name: "secret",
      type: "text",
      required: false,
      hidden: true,
    });
    expect(answer.body.id).toMatch(/^[a-z0-9]{15}$/);
  });

  it("read, list, update and delete a collection", async () => {
    const { call, superuser, collection } = h();
    await collection(POSTS);
    await collection({ name: "tags" });
    const token = superuser.token;
    expect((await call("GET", "/api/collections/posts", { token })).body.name).toBe("posts");
    const list = await call("GET", "/api/collections?perPage=1", { token });
    expect(list.body).toMatchObject({ page: 1, perPage: 1, totalItems: 2, totalPages: 2 });
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(["posts"]);
    const patched = await call("PATCH", "/api/collections/posts", {
      token,
      body: { listRule: null, realtime: false },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      listRule: null,
      realtime: false,
      viewRule: POSTS.viewRule,
    });
    expect((await call("DELETE", "/api/collections/tags", { token })).status).toBe(204);
    expect((await call("GET", "/api/collections/tags", { token })).body.code).toBe("NOT_FOUND");
  });

  it("is for superusers only: anonymous UNAUTHORIZED, users FORBIDDEN", async () => {
    const { call, user, db } = h();
    const anonymous = await call("POST", "/api/collections", { body: POSTS });
    expect(anonymous.status).toBe(401);
    const plain = await user();
    for (const [method, url] of [
      ["POST", "/api/collections"],
      ["GET", "/api/collections"],
      ["GET", "/api/collections/posts"],
      ["DELETE", "/api/collections/posts"],
    ] as const) {
      const answer = await call(method, url, {
        token: plain.token,
        body: method === "POST" ? POSTS : undefined,
      });
      expect(answer.status, `${method} ${url}`).toBe(403);
      expect(answer.body.code).toBe("FORBIDDEN");
    }
    expect(await db.prisma.collection.count()).toBe(0);
  });

  it("create - a bad rule is INVALID_RULE naming the rule and the position", async () => {
    const { call, superuser, db } = h();
    const answer = await call("POST", "/api/collections", {
      token: superuser.token,
      body: { ...POSTS, updateRule: "title = 'x' &&" },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("INVALID_RULE");
    expect(answer.body.data.rule).toBe("updateRule");
    expect(answer.body.data.position).toBeGreaterThanOrEqual(11);
    const unknownField = await call("POST", "/api/collections", {
      token: superuser.token,
      body: { ...POSTS, listRule: "nope = 1" },
    });
    expect(unknownField.body).toMatchObject({
      code: "INVALID_RULE",
      data: { rule: "listRule", position: 0 },
    });
    expect(await db.prisma.collection.count()).toBe(0);
  });

  it("create - refuses bad names, reserved and duplicate fields, and relations to nowhere", async () => {
    const { call, superuser } = h();
    const token = superuser.token;
    const cases: [unknown, string][] = [
      [{ name: "1bad" }, "name"],
      [{ name: "users" }, "name"],
      [{ name: "a", fields: [{ name: "id", type: "text" }] }, "fields.0.name"],
      [
        {
          name: "a",
          fields: [
            { name: "x", type: "text" },
            { name: "x", type: "number" },
          ],
        },
        "fields.1.name",
      ],
      [{ name: "a", fields: [{ name: "x", type: "money" }] }, "fields.0.type"],
      [{ name: "a", fields: [{ name: "x", type: "relation" }] }, "fields.0.collection"],
      [
        { name: "a", fields: [{ name: "x", type: "relation", collection: "ghosts" }] },
        "fields.0.collection",
      ],
      [{ name: "a", surprise: true }, "body"],
      // Names every JavaScript object has would collide with them in record bodies.
      [{ name: "__proto__" }, "name"],
      [{ name: "constructor" }, "name"],
      [{ name: "a", fields: [{ name: "__proto__", type: "json" }] }, "fields.0.name"],
      [{ name: "a", fields: [{ name: "prototype", type: "text" }] }, "fields.0.name"],
      [{ name: "a", fields: [{ name: "toString", type: "text" }] }, "fields.0.name"],
    ];
    for (const [body, path] of cases) {
      const answer = await call("POST", "/api/collections", { token, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.code).toBe("VALIDATION_FAILED");
      expect(Object.keys(answer.body.data), JSON.stringify(body)).toContain(path);
    }
  });

  it("create - a taken name is CONFLICT", async () => {
    const { call, superuser, collection } = h();
    await collection({ name: "dupe" });
    const answer = await call("POST", "/api/collections", {
      token: superuser.token,
      body: { name: "dupe" },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe("CONFLICT");
  });

  it("update - checks rules against the new fields", async () => {
    const { call, superuser, collection } = h();
    await collection(POSTS);
    const answer = await call("PATCH", "/api/collections/posts", {
      token: superuser.token,
      body: { fields: [{ name: "title", type: "text" }] },
    });
    expect(answer.body).toMatchObject({ code: "INVALID_RULE", data: { rule: "viewRule" } });
  });

  it("update - renaming re-points relations of other collections", async () => {
    const { call, superuser, collection } = h();
    await collection({ name: "authors", fields: [{ name: "name", type: "text" }] });
    await collection({
      name: "books",
      fields: [{ name: "author", type: "relation", collection: "authors" }],
    });
    const token = superuser.token;
    expect(
      (await call("PATCH", "/api/collections/authors", { token, body: { name: "writers" } }))
        .status,
    ).toBe(200);
    const books = await call("GET", "/api/collections/books", { token });
    expect(books.body.fields[0].collection).toBe("writers");
  });

  it("delete - refused while another collection points at it, then removes its records", async () => {
    const { call, superuser, collection, db } = h();
    await collection({ name: "authors", fields: [{ name: "name", type: "text" }], createRule: "" });
    await collection({
      name: "books",
      fields: [{ name: "author", type: "relation", collection: "authors" }],
    });
    const token = superuser.token;
    await call("POST", "/api/collections/authors/records", { token, body: { name: "Le Guin" } });
    const refused = await call("DELETE", "/api/collections/authors", { token });
    expect(refused.status).toBe(409);
    expect(refused.body.data.referencedBy).toEqual(["books"]);
    expect((await call("DELETE", "/api/collections/books", { token })).status).toBe(204);
    expect((await call("DELETE", "/api/collections/authors", { token })).status).toBe(204);
    expect(await db.prisma.record.count()).toBe(0);
  });
});
