import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { TEST_PASSWORD, useRecordsHarness } from "../testing/records-harness.ts";

const RECORDS = "/api/collections/users/records";
const PASSWORD = "a long enough password";

describe.each(["postgres", "pglite"] as const)("PocketBase users collection on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("list - superusers see every user as a record, filtered, sorted and narrowed", async () => {
    const { call, superuser, user } = h();
    const ann = await user({ email: "ann@example.com" });
    await user({ email: "bob@example.com" });
    const token = superuser.token;
    const all = await call("GET", `${RECORDS}?sort=-email`, { token });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ page: 1, perPage: 30, totalItems: 3, totalPages: 1 });
    const emails = all.body.items.map((item: { email: string }) => item.email);
    expect(emails).toEqual([...emails].sort().reverse());
    const [one] = (
      await call("GET", `${RECORDS}?filter=${encodeURIComponent('email ~ "ann"')}`, {
        token,
      })
    ).body.items;
    expect(one).toEqual({
      id: ann.user.id,
      collectionId: "users",
      collectionName: "users",
      created: ann.user.created,
      updated: ann.user.updated,
      email: "ann@example.com",
      name: "",
      verified: false,
    });
    const narrow = await call("GET", `${RECORDS}?fields=id,email&skipTotal=1&perPage=1`, { token });
    expect(narrow.body).toMatchObject({ perPage: 1, totalItems: -1 });
    expect(Object.keys(narrow.body.items[0]).sort()).toEqual(["email", "id"]);
    for (const [query, code] of [
      ["filter=role%3D%27superuser%27", "INVALID_FILTER"],
      ["sort=password", "INVALID_SORT"],
      ["expand=owner", "VALIDATION_FAILED"],
      ["filter=email%3D%27a%00%27", "INVALID_FILTER"],
    ] as const) {
      const refused = await call("GET", `${RECORDS}?${query}`, { token });
      expect(refused.status, query).toBe(400);
      expect(refused.body.code, query).toBe(code);
    }
  });

  it("list and view - a user sees only themself (with email), a guest nothing", async () => {
    const { call, user } = h();
    const [ann, bob] = [await user(), await user()];
    const mine = await call("GET", RECORDS, { token: ann.token });
    expect(mine.body.items).toEqual([
      expect.objectContaining({ id: ann.user.id, email: ann.user.email }),
    ]);
    const guest = await call("GET", RECORDS);
    expect(guest.status).toBe(200);
    expect(guest.body).toMatchObject({ totalItems: 0, items: [] });
    expect((await call("GET", `${RECORDS}/${ann.user.id}`, { token: ann.token })).body.email).toBe(
      ann.user.email,
    );
    for (const token of [ann.token, undefined]) {
      const hidden = await call("GET", `${RECORDS}/${bob.user.id}`, { token });
      expect(hidden.status).toBe(404);
      expect(hidden.body.code).toBe("NOT_FOUND");
    }
  });

  it("create - a superuser sets password twice; a mismatch is data.passwordConfirm", async () => {
    const { call, superuser } = h();
    const token = superuser.token;
    const mismatch = await call("POST", RECORDS, {
      token,
      body: { email: "new@example.com", password: PASSWORD, passwordConfirm: "something else" },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.data).toEqual({
      passwordConfirm: { code: "mismatch", message: "must equal password" },
    });
    const bad = await call("POST", RECORDS, {
      token,
      body: { id: "chosen", email: "x", password: "short", role: "superuser" },
    });
    expect(Object.keys(bad.body.data).sort()).toEqual(
      ["body", "email", "id", "password", "passwordConfirm"].sort(),
    );
    const created = await call("POST", RECORDS, {
      token,
      body: {
        email: "New@Example.com",
        password: PASSWORD,
        passwordConfirm: PASSWORD,
        name: "New",
        verified: true,
        emailVisibility: true,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      collectionName: "users",
      email: "new@example.com",
      name: "New",
      verified: true,
    });
    const login = await call("POST", "/api/auth/login", {
      body: { email: "new@example.com", password: PASSWORD },
    });
    expect(login.body.user.role).toBe("user");
    const again = await call("POST", RECORDS, {
      token,
      body: { email: "new@example.com", password: PASSWORD, passwordConfirm: PASSWORD },
    });
    expect(again.status).toBe(409);
  });

  it("create - anyone may sign up, unverified, and gets the record without the email", async () => {
    const { call } = h();
    const verified = await call("POST", RECORDS, {
      body: {
        email: "me@example.com",
        password: PASSWORD,
        passwordConfirm: PASSWORD,
        verified: true,
      },
    });
    expect(verified.status).toBe(400);
    expect(verified.body.data.verified.code).toBe("managed");
    const created = await call("POST", RECORDS, {
      body: { email: "me@example.com", password: PASSWORD, passwordConfirm: PASSWORD, name: "Me" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Me", verified: false });
    expect(created.body).not.toHaveProperty("email");
  });

  it("update - a user changes their name, and their password only with the old one", async () => {
    const { call, user } = h();
    const [ann, bob] = [await user(), await user()];
    const own = `${RECORDS}/${ann.user.id}`;
    const renamed = await call("PATCH", own, { token: ann.token, body: { name: "Ann" } });
    expect(renamed.body).toMatchObject({ name: "Ann", email: ann.user.email });
    const managed = await call("PATCH", own, {
      token: ann.token,
      body: { email: "other@example.com", verified: true },
    });
    expect(Object.keys(managed.body.data).sort()).toEqual(["email", "verified"]);
    const noOld = await call("PATCH", own, {
      token: ann.token,
      body: { password: PASSWORD, passwordConfirm: PASSWORD },
    });
    expect(noOld.body.data.oldPassword.code).toBe("required");
    const wrongOld = await call("PATCH", own, {
      token: ann.token,
      body: { password: PASSWORD, passwordConfirm: PASSWORD, oldPassword: "wrong" },
    });
    expect(wrongOld.body.data.oldPassword.code).toBe("invalid_old_password");
    const changed = await call("PATCH", own, {
      token: ann.token,
      body: { password: PASSWORD, passwordConfirm: PASSWORD, oldPassword: TEST_PASSWORD },
    });
    expect(changed.status).toBe(200);
    // A new password revokes the tokens, as PocketBase's new token key does.
    expect((await call("GET", "/api/auth/me", { token: ann.token })).status).toBe(401);
    const other = await call("PATCH", `${RECORDS}/${ann.user.id}`, {
      token: bob.token,
      body: { name: "Mallory" },
    });
    expect(other.status).toBe(404);
  });

  it("update - a superuser changes email, verified and password without the old one", async () => {
    const { call, superuser, user } = h();
    const ann = await user();
    const updated = await call("PATCH", `${RECORDS}/${ann.user.id}`, {
      token: superuser.token,
      body: {
        email: "ann.new@example.com",
        verified: true,
        password: PASSWORD,
        passwordConfirm: PASSWORD,
        collectionName: "users",
        id: ann.user.id,
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ email: "ann.new@example.com", verified: true });
    expect((await call("GET", "/api/auth/me", { token: ann.token })).status).toBe(401);
    const halfPassword = await call("PATCH", `${RECORDS}/${ann.user.id}`, {
      token: superuser.token,
      body: { password: PASSWORD },
    });
    expect(halfPassword.body.data.passwordConfirm.code).toBe("required");
  });

  it("delete - a user deletes only themself; a superuser anyone but themself", async () => {
    const { call, superuser, user } = h();
    const [ann, bob, cy] = [await user(), await user(), await user()];
    expect((await call("DELETE", `${RECORDS}/${bob.user.id}`, { token: ann.token })).status).toBe(
      404,
    );
    expect((await call("DELETE", `${RECORDS}/${bob.user.id}`)).status).toBe(404);
    expect((await call("DELETE", `${RECORDS}/${ann.user.id}`, { token: ann.token })).status).toBe(
      204,
    );
    expect((await call("GET", "/api/auth/me", { token: ann.token })).status).toBe(401);
    const self = await call("DELETE", `${RECORDS}/${superuser.user.id}`, {
      token: superuser.token,
    });
    expect(self.status).toBe(400);
    expect(
      (await call("DELETE", `${RECORDS}/${cy.user.id}`, { token: superuser.token })).status,
    ).toBe(204);
  });

  it("impersonate - superusers only: a token acting as the user, with the user's record", async () => {
    const { call, superuser, user } = h();
    const ann = await user();
    const url = `/api/collections/users/impersonate/${ann.user.id}`;
    expect((await call("POST", url, { body: {} })).status).toBe(401);
    expect((await call("POST", url, { token: ann.token, body: {} })).status).toBe(403);
    const unknown = await call("POST", "/api/collections/users/impersonate/nobody", {
      token: superuser.token,
      body: {},
    });
    expect(unknown.status).toBe(404);
    const tooLong = await call("POST", url, {
      token: superuser.token,
      body: { duration: 31 * 86_400 },
    });
    expect(tooLong.body.data.duration.code).toBe("too_big");
    const answer = await call("POST", url, { token: superuser.token, body: { duration: 120 } });
    expect(answer.status).toBe(200);
    expect(answer.body.record).toMatchObject({ id: ann.user.id, email: ann.user.email });
    const claims = decodeJwt(answer.body.token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(120);
    const mine = await call("GET", RECORDS, { token: answer.body.token });
    expect(mine.body.items.map((item: { id: string }) => item.id)).toEqual([ann.user.id]);
  });
});

describe("PocketBase sign-up is rate limited as registration is", () => {
  const h = useRecordsHarness("postgres", { authRateLimit: 2 });

  it("the third sign-up from one address in a minute is RATE_LIMITED; superusers are not limited", async () => {
    const { call, superuser } = h();
    const signUp = (n: number, token?: string) =>
      call("POST", RECORDS, {
        token,
        body: { email: `u${n}@example.com`, password: PASSWORD, passwordConfirm: PASSWORD },
      });
    expect((await signUp(1)).status).toBe(201);
    expect((await signUp(2)).status).toBe(201);
    const limited = await signUp(3);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("RATE_LIMITED");
    for (let n = 4; n < 8; n += 1) expect((await signUp(n, superuser.token)).status).toBe(201);
  });
});
