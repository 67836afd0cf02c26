import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { TEST_APP_OPTIONS, useRecordsHarness } from "../testing/records-harness.ts";

describe.each(["postgres", "pglite"] as const)("auth on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("register - creates a user and returns a working token", async () => {
    const { call } = h();
    const answer = await call("POST", "/api/auth/register", {
      body: { email: "Ada@Example.com", password: "long enough pw", name: "Ada" },
    });
    expect(answer.status).toBe(201);
    expect(answer.body.user).toMatchObject({
      email: "ada@example.com",
      name: "Ada",
      role: "user",
      verified: false,
    });
    expect(answer.body.user).not.toHaveProperty("passwordHash");
    expect(answer.body.user).not.toHaveProperty("tokenKey");
    const me = await call("GET", "/api/auth/me", { token: answer.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(answer.body.user.id);
  });

  it("register - refuses a taken email whatever its case", async () => {
    const { call } = h();
    await call("POST", "/api/auth/register", {
      body: { email: "bob@example.com", password: "long enough pw" },
    });
    const again = await call("POST", "/api/auth/register", {
      body: { email: "BOB@example.com", password: "long enough pw" },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      status: 409,
      code: "CONFLICT",
      data: { email: { code: "not_unique" } },
    });
  });

  it("register - refuses a bad email, a short password and unknown fields together", async () => {
    const { call, db } = h();
    const answer = await call("POST", "/api/auth/register", {
      body: { email: "nope", password: "short", role: "superuser" },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("VALIDATION_FAILED");
    expect(Object.keys(answer.body.data).sort()).toEqual(["body", "email", "password"]);
    expect(await db.prisma.user.count({ where: { role: "user" } })).toBe(0);
  });

  it("login - answers a token for the right password", async () => {
    const { call } = h();
    await call("POST", "/api/auth/register", {
      body: { email: "cy@example.com", password: "long enough pw" },
    });
    const answer = await call("POST", "/api/auth/login", {
      body: { email: "CY@example.com", password: "long enough pw" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.user.email).toBe("cy@example.com");
    expect((await call("GET", "/api/auth/me", { token: answer.body.token })).status).toBe(200);
  });

  it("login - wrong password and unknown email get the same INVALID_CREDENTIALS", async () => {
    const { call } = h();
    await call("POST", "/api/auth/register", {
      body: { email: "dee@example.com", password: "long enough pw" },
    });
    const wrong = await call("POST", "/api/auth/login", {
      body: { email: "dee@example.com", password: "not the one" },
    });
    const unknown = await call("POST", "/api/auth/login", {
      body: { email: "who@example.com", password: "not the one" },
    });
    for (const answer of [wrong, unknown]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        status: 400,
        code: "INVALID_CREDENTIALS",
        message: "Invalid email or password.",
        data: {},
      });
    }
  });

  it("me - anonymous is UNAUTHORIZED", async () => {
    const answer = await h().call("GET", "/api/auth/me");
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe("UNAUTHORIZED");
  });

  it("tokens - accepts a bare token as well as Bearer", async () => {
    const { call, superuser } = h();
    const answer = await call("GET", "/api/auth/me", {
      headers: { authorization: superuser.token },
    });
    expect(answer.status).toBe(200);
  });

  it("tokens - refuses garbage, a wrong signature, an expired token and another type", async () => {
    const { call, superuser } = h();
    const key = new TextEncoder().encode(TEST_APP_OPTIONS.jwt.secret);
    const otherKey = new TextEncoder().encode("another-secret-of-at-least-thirty-two-chars");
    const claims = { type: "auth", tk: "x" };
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(superuser.user.id)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(key);
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(superuser.user.id)
      .setExpirationTime("1h")
      .sign(otherKey);
    const wrongType = await new SignJWT({ type: "refresh", tk: "x" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(superuser.user.id)
      .setExpirationTime("1h")
      .sign(key);
    for (const token of ["garbage", "a.b.c", expired, forged, wrongType]) {
      const answer = await call("GET", "/api/collections", { token });
      expect(answer.status, token).toBe(401);
      expect(answer.body.code).toBe("UNAUTHORIZED");
    }
  });

  it("revoke - every earlier token stops working, new logins work", async () => {
    const { call } = h();
    const registered = await call("POST", "/api/auth/register", {
      body: { email: "eve@example.com", password: "long enough pw" },
    });
    const token = registered.body.token;
    expect((await call("POST", "/api/auth/revoke", { token })).status).toBe(204);
    expect((await call("GET", "/api/auth/me", { token })).status).toBe(401);
    const login = await call("POST", "/api/auth/login", {
      body: { email: "eve@example.com", password: "long enough pw" },
    });
    expect((await call("GET", "/api/auth/me", { token: login.body.token })).status).toBe(200);
  });

  it("refresh - issues a new token for the same user", async () => {
    const { call, superuser } = h();
    const answer = await call("POST", "/api/auth/refresh", { token: superuser.token });
    expect(answer.status).toBe(200);
    expect(answer.body.user.id).toBe(superuser.user.id);
    expect((await call("GET", "/api/auth/me", { token: answer.body.token })).status).toBe(200);
  });
});

describe("auth rate limit", () => {
  const h = useRecordsHarness("postgres", { authRateLimit: 3 });

  it("login - the fourth attempt within a minute is RATE_LIMITED", async () => {
    const { call } = h();
    const attempt = () =>
      call("POST", "/api/auth/login", { body: { email: "x@example.com", password: "whatever1" } });
    for (let i = 0; i < 3; i += 1) expect((await attempt()).status).toBe(400);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect(limited.body.data.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe("auth rate limit over both login routes", () => {
  // An app of its own: the budget is the app's, and the test above has used it up.
  const h = useRecordsHarness("postgres", { authRateLimit: 3 });

  it("the login routes share one budget per address: PocketBase's does not add its own", async () => {
    const { call } = h();
    const body = { email: "x@example.com", password: "whatever1" };
    const pocketbase = { identity: body.email, password: body.password };
    const path = "/api/collections/users/auth-with-password";
    expect((await call("POST", "/api/auth/login", { body })).status).toBe(400);
    expect((await call("POST", path, { body: pocketbase })).status).toBe(400);
    expect((await call("POST", "/api/auth/login", { body })).status).toBe(400);
    expect((await call("POST", path, { body: pocketbase })).status).toBe(429);
  });
});

describe("failed logins per account, and new passwords", () => {
  const h = useRecordsHarness("postgres", { loginFailuresPerAccount: 3 });
  const password = "the right passphrase";
  const PATH = "/api/collections/users/auth-with-password";

  it("after 3 failures over both login routes, even the right password is RATE_LIMITED; other accounts are not", async () => {
    const { call } = h();
    for (const email of ["victim@example.com", "other@example.com"])
      expect((await call("POST", "/api/auth/register", { body: { email, password } })).status).toBe(
        201,
      );
    const wrong = { email: "victim@example.com", password: "not the passphrase" };
    expect((await call("POST", "/api/auth/login", { body: wrong })).status).toBe(400);
    expect(
      (await call("POST", PATH, { body: { identity: "Victim@Example.com", password: "nope" } }))
        .status,
    ).toBe(400);
    expect((await call("POST", "/api/auth/login", { body: wrong })).status).toBe(400);
    const refused = await call("POST", "/api/auth/login", {
      body: { email: "victim@example.com", password },
    });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: "RATE_LIMITED" });
    expect(refused.body.data.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect(
      (await call("POST", PATH, { body: { identity: "victim@example.com", password } })).status,
    ).toBe(429);
    expect(
      (await call("POST", "/api/auth/login", { body: { email: "other@example.com", password } }))
        .status,
    ).toBe(200);
  });

  it("an email with no account is counted the same way, so the answers do not tell", async () => {
    const { call } = h();
    const body = { email: "nobody@example.com", password: "a guess of a password" };
    for (let i = 0; i < 3; i += 1)
      expect((await call("POST", "/api/auth/login", { body })).status).toBe(400);
    expect((await call("POST", "/api/auth/login", { body })).status).toBe(429);
  });

  it("register - refuses short, blank, repeated and common passwords, naming the field", async () => {
    const { call } = h();
    const refused = ["short", " ".repeat(12), "aaaaaaaaaaaa", "1234567890", "Password123"];
    for (const [i, password] of refused.entries()) {
      const answer = await call("POST", "/api/auth/register", {
        body: { email: `u${i}@example.com`, password },
      });
      expect(answer.status, JSON.stringify(password)).toBe(400);
      expect(answer.body.code).toBe("VALIDATION_FAILED");
      expect(Object.keys(answer.body.data)).toEqual(["password"]);
    }
    const accepted = await call("POST", "/api/auth/register", {
      body: { email: "ok@example.com", password: "long enough pw" },
    });
    expect(accepted.status).toBe(201);
  });
});
