import { describe, expect, it } from "vitest";
import { TEST_PASSWORD, useRecordsHarness } from "../testing/records-harness.ts";

const NEW_PASSWORD = "a long enough password";

describe.each(["postgres", "pglite"] as const)("users API on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("create - answers the user itself, 201, and the account signs in with its password", async () => {
    const { call, superuser } = h();
    const created = await call("POST", "/api/users", {
      token: superuser.token,
      body: { email: "Ada@Example.com", password: NEW_PASSWORD, name: "Ada", verified: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[a-z0-9]{15}$/),
      email: "ada@example.com",
      name: "Ada",
      role: "user",
      verified: true,
      disabled: false,
      created: expect.any(String),
      updated: expect.any(String),
    });
    const login = await call("POST", "/api/auth/login", {
      body: { email: "ada@example.com", password: NEW_PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual(created.body);
    const me = await call("GET", "/api/auth/me", { token: login.body.token });
    expect(me.body.user.disabled).toBe(false);
  });

  it("create - without a password: no password signs in, a superuser's token does", async () => {
    const { call, superuser } = h();
    const created = await call("POST", "/api/users", {
      token: superuser.token,
      body: { email: "nopw@example.com" },
    });
    expect(created.body).toMatchObject({ role: "user", verified: false, disabled: false });
    for (const password of ["", "none", NEW_PASSWORD]) {
      const login = await call("POST", "/api/auth/login", {
        body: { email: "nopw@example.com", password: password || "x" },
      });
      expect(login.body.code).toBe("INVALID_CREDENTIALS");
    }
    const issued = await call("POST", `/api/users/${created.body.id}/token`, {
      token: superuser.token,
      body: {},
    });
    expect(issued.status).toBe(200);
    expect(issued.body.user).toEqual(created.body);
    const me = await call("GET", "/api/auth/me", { token: issued.body.token });
    expect(me.body.user).toEqual(created.body);
  });

  it("create - a taken email (any case) is CONFLICT; bad values are VALIDATION_FAILED per field", async () => {
    const { call, superuser, user } = h();
    const existing = await user({ email: "taken@example.com" });
    const taken = await call("POST", "/api/users", {
      token: superuser.token,
      body: { email: "TAKEN@example.com" },
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: "CONFLICT", data: { email: { code: "not_unique" } } });
    const bad = await call("POST", "/api/users", {
      token: superuser.token,
      body: {
        email: "nope",
        password: "short",
        name: 3,
        role: "admin",
        verified: "yes",
        disabled: 1,
        extra: true,
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("VALIDATION_FAILED");
    expect(Object.keys(bad.body.data).sort()).toEqual(
      ["body", "disabled", "email", "name", "password", "role", "verified"].sort(),
    );
    const wrongShape = await call("POST", "/api/users", { token: superuser.token, body: [1, 2] });
    expect(wrongShape.body.code).toBe("VALIDATION_FAILED");
    const nul = await call("POST", "/api/users", {
      token: superuser.token,
      body: { email: "a\u0000b@example.com" },
    });
    expect(nul.status).toBe(400);
    expect(nul.body.data.email.code).toBe("nul_character");
    expect(existing.user.email).toBe("taken@example.com");
  });

  it("is for superusers only: anonymous UNAUTHORIZED, users FORBIDDEN, on every route", async () => {
    const { call, user } = h();
    const plain = await user();
    const target = plain.user.id;
    const routes = [
      ["GET", "/api/users"],
      ["POST", "/api/users"],
      ["POST", "/api/users/bulk"],
      ["GET", `/api/users/${target}`],
      ["PATCH", `/api/users/${target}`],
      ["DELETE", `/api/users/${target}`],
      ["POST", `/api/users/${target}/revoke`],
      ["POST", `/api/users/${target}/token`],
    ] as const;
    for (const [method, url] of routes) {
      const body = method === "POST" || method === "PATCH" ? { email: "x@example.com" } : undefined;
      const anonymous = await call(method, url, { body });
      expect(anonymous.status, `${method} ${url}`).toBe(401);
      expect(anonymous.body.code).toBe("UNAUTHORIZED");
      const refused = await call(method, url, { token: plain.token, body });
      expect(refused.status, `${method} ${url}`).toBe(403);
      expect(refused.body.code).toBe("FORBIDDEN");
    }
  });

  it("get, patch and delete one user; an unknown id is NOT_FOUND", async () => {
    const { call, superuser, user } = h();
    const token = superuser.token;
    const ann = await user({ email: "ann@example.com" });
    const one = await call("GET", `/api/users/${ann.user.id}`, { token });
    expect(one.body).toEqual({ ...ann.user, disabled: false });
    const patched = await call("PATCH", `/api/users/${ann.user.id}`, {
      token,
      body: { name: "Ann", email: "Ann2@Example.com", verified: true, role: "superuser" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id: ann.user.id,
      name: "Ann",
      email: "ann2@example.com",
      verified: true,
      role: "superuser",
    });
    // A new email, verified or role signs the user out (rules read them).
    expect((await call("GET", "/api/auth/me", { token: ann.token })).status).toBe(401);
    await user({ email: "bob@example.com" });
    const clash = await call("PATCH", `/api/users/${ann.user.id}`, {
      token,
      body: { email: "BOB@example.com" },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.data.email.code).toBe("not_unique");
    expect((await call("DELETE", `/api/users/${ann.user.id}`, { token })).status).toBe(204);
    expect((await call("GET", "/api/auth/me", { token: ann.token })).status).toBe(401);
    for (const [method, url] of [
      ["GET", `/api/users/${ann.user.id}`],
      ["PATCH", `/api/users/${ann.user.id}`],
      ["DELETE", `/api/users/${ann.user.id}`],
      ["POST", `/api/users/${ann.user.id}/revoke`],
      ["POST", `/api/users/${ann.user.id}/token`],
      ["GET", "/api/users/nobody%00"],
    ] as const) {
      const body = method === "PATCH" || method === "POST" ? {} : undefined;
      const answer = await call(method, url, { token, body });
      expect(answer.status, `${method} ${url}`).toBe(404);
      expect(answer.body.code).toBe("NOT_FOUND");
    }
  });

  it("patch - a new password revokes the old tokens and signs in; bad values change nothing", async () => {
    const { call, superuser, user, db } = h();
    const ann = await user();
    const bad = await call("PATCH", `/api/users/${ann.user.id}`, {
      token: superuser.token,
      body: { password: "12345678", name: "x".repeat(201), role: null, unknown: 1 },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.data).sort()).toEqual(["body", "name", "password", "role"]);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: ann.user.id } })).name).toBe("");
    const changed = await call("PATCH", `/api/users/${ann.user.id}`, {
      token: superuser.token,
      body: { password: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect((await call("GET", "/api/auth/me", { token: ann.token })).status).toBe(401);
    const old = await call("POST", "/api/auth/login", {
      body: { email: ann.user.email, password: TEST_PASSWORD },
    });
    expect(old.body.code).toBe("INVALID_CREDENTIALS");
    const login = await call("POST", "/api/auth/login", {
      body: { email: ann.user.email, password: NEW_PASSWORD },
    });
    expect(login.status).toBe(200);
  });

  it("a superuser cannot disable, demote or delete themself", async () => {
    const { call, superuser } = h();
    const self = `/api/users/${superuser.user.id}`;
    const token = superuser.token;
    for (const [body, field] of [
      [{ disabled: true }, "disabled"],
      [{ role: "user" }, "role"],
    ] as const) {
      const refused = await call("PATCH", self, { token, body });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        code: "VALIDATION_FAILED",
        data: { [field]: { code: "own_account" } },
      });
      expect(refused.body.message).toMatch(/cannot/);
    }
    const deleted = await call("DELETE", self, { token });
    expect(deleted.status).toBe(400);
    expect(deleted.body.data.id.code).toBe("own_account");
    // Harmless changes to oneself are fine.
    const renamed = await call("PATCH", self, { token, body: { name: "Root", disabled: false } });
    expect(renamed.body).toMatchObject({ name: "Root", role: "superuser", disabled: false });
  });

  it("list - pages, searches email and name without case, sorts, and refuses bad parameters", async () => {
    const { call, superuser, user } = h();
    const token = superuser.token;
    await user({ email: "carol@example.com" });
    await user({ email: "dave@sample.org" });
    await user({ email: "under_score@example.com" });
    await call("PATCH", `/api/users/${superuser.user.id}`, { token, body: { name: "Big Boss" } });
    const all = await call("GET", "/api/users?perPage=2", { token });
    expect(all.body).toMatchObject({ page: 1, perPage: 2, totalItems: 4, totalPages: 2 });
    expect(all.body.items[0]).toMatchObject({ id: superuser.user.id, disabled: false });
    expect(all.body.items[0]).not.toHaveProperty("passwordHash");
    const search = async (text: string) =>
      (await call("GET", `/api/users?search=${encodeURIComponent(text)}`, { token })).body.items
        .map((item: { email: string }) => item.email)
        .sort();
    expect(await search("EXAMPLE")).toEqual(
      ["carol@example.com", "under_score@example.com", superuser.user.email].sort(),
    );
    expect(await search("boss")).toEqual([superuser.user.email]);
    // `_` and `%` are literal, not LIKE wildcards.
    expect(await search("a_p")).toEqual([]);
    expect(await search("under_")).toEqual(["under_score@example.com"]);
    expect(await search("%")).toEqual([]);
    const byEmail = await call("GET", "/api/users?sort=-email", { token });
    const emails = byEmail.body.items.map((item: { email: string }) => item.email);
    expect(emails).toEqual([...emails].sort().reverse());
    const skipped = await call("GET", "/api/users?skipTotal=1&perPage=5000", { token });
    expect(skipped.body).toMatchObject({ perPage: 1000, totalItems: -1, totalPages: -1 });
    for (const query of ["sort=name", "page=0", "perPage=x", `search=${"x".repeat(201)}`]) {
      const refused = await call("GET", `/api/users?${query}`, { token });
      expect(refused.status, query).toBe(400);
      expect(refused.body.code).toBe("VALIDATION_FAILED");
    }
    const nul = await call("GET", "/api/users?search=a%00b", { token });
    expect(nul.status).toBe(400);
    expect(nul.body.data.search.code).toBe("nul_character");
  });

  it("delete - records pointing at the user keep the id; expand leaves it out", async () => {
    const { call, superuser, user, collection } = h();
    await collection({
      name: "posts",
      fields: [
        { name: "title", type: "text" },
        { name: "owner", type: "relation", collection: "users" },
      ],
      listRule: "",
      viewRule: "",
    });
    const ann = await user();
    const post = await call("POST", "/api/collections/posts/records", {
      token: superuser.token,
      body: { title: "t", owner: ann.user.id },
    });
    await call("DELETE", `/api/users/${ann.user.id}`, { token: superuser.token });
    const read = await call("GET", `/api/collections/posts/records/${post.body.id}?expand=owner`, {
      token: superuser.token,
    });
    expect(read.status).toBe(200);
    expect(read.body.owner).toBe(ann.user.id);
    expect(read.body).not.toHaveProperty("expand");
    // Other fields can still change; pointing at the gone user again is refused.
    const edited = await call("PATCH", `/api/collections/posts/records/${post.body.id}`, {
      token: superuser.token,
      body: { title: "edited" },
    });
    expect(edited.status).toBe(200);
    const again = await call("PATCH", `/api/collections/posts/records/${post.body.id}`, {
      token: superuser.token,
      body: { owner: ann.user.id },
    });
    expect(again.body.data.owner.code).toBe("missing_relation");
  });
});
