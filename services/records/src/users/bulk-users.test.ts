import { describe, expect, it } from "vitest";
import { useRecordsHarness } from "../testing/records-harness.ts";
import { MAX_BULK_USERS } from "./user-input.ts";

const PASSWORD = "a long enough password";

describe.each(["postgres", "pglite"] as const)("bulk users on %s", (backend) => {
  // Room for the largest batch: 5,000 entries are about 300 KiB.
  const h = useRecordsHarness(backend, { bodyLimit: 4 * 1024 * 1024 });

  it("creates every user in the order given, with working tokens when asked", async () => {
    const { call, superuser } = h();
    const answer = await call("POST", "/api/users/bulk", {
      token: superuser.token,
      body: {
        users: [
          { email: "A1@example.com", password: PASSWORD, name: "One" },
          { email: "a2@example.com", role: "user", verified: true },
          { email: "a3@example.com" },
        ],
        tokens: true,
      },
    });
    expect(answer.status).toBe(201);
    expect(answer.body.items.map((user: { email: string }) => user.email)).toEqual([
      "a1@example.com",
      "a2@example.com",
      "a3@example.com",
    ]);
    expect(answer.body.items[0]).toMatchObject({ name: "One", role: "user", disabled: false });
    expect(answer.body.items[1]).toMatchObject({ role: "user", verified: true });
    expect(answer.body.tokens).toHaveLength(3);
    for (const [index, token] of (answer.body.tokens as string[]).entries()) {
      const me = await call("GET", "/api/auth/me", { token });
      expect(me.body.user).toEqual(answer.body.items[index]);
    }
    const login = await call("POST", "/api/auth/login", {
      body: { email: "a1@example.com", password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const without = await call("POST", "/api/users/bulk", {
      token: superuser.token,
      body: { users: [{ email: "b1@example.com", role: "superuser" }] },
    });
    expect(without.body).toEqual({
      items: [expect.objectContaining({ email: "b1@example.com", role: "superuser" })],
    });
  });

  it("tokens: true with superusers among the entries is VALIDATION_FAILED naming them; nothing is created", async () => {
    const { call, superuser, db } = h();
    const before = await db.prisma.user.count();
    const answer = await call("POST", "/api/users/bulk", {
      token: superuser.token,
      body: {
        users: [
          { email: "c1@example.com", role: "superuser" },
          { email: "c2@example.com" },
          { email: "c3@example.com", role: "superuser" },
        ],
        tokens: true,
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("VALIDATION_FAILED");
    expect(answer.body.message).toMatch(/own password/);
    expect(answer.body.data).toEqual({
      "users.0.role": { code: "superuser_token", message: "no token is issued for a superuser" },
      "users.2.role": { code: "superuser_token", message: "no token is issued for a superuser" },
    });
    expect(await db.prisma.user.count()).toBe(before);
  });

  it("all or nothing: a repeated or registered email is CONFLICT naming the entries", async () => {
    const { call, superuser, user, db } = h();
    await user({ email: "taken@example.com" });
    const before = await db.prisma.user.count();
    const answer = await call("POST", "/api/users/bulk", {
      token: superuser.token,
      body: {
        users: [
          { email: "fine@example.com", password: PASSWORD },
          { email: "twice@example.com" },
          { email: "TAKEN@example.com" },
          { email: "Twice@Example.com" },
        ],
      },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe("CONFLICT");
    expect(answer.body.data).toEqual({
      "users.2.email": { code: "not_unique", message: "the email is taken" },
      "users.3.email": { code: "not_unique", message: "the same email as users.1" },
    });
    expect(await db.prisma.user.count()).toBe(before);
  });

  it("reports every invalid entry at once and creates nothing", async () => {
    const { call, superuser, db } = h();
    const before = await db.prisma.user.count();
    const answer = await call("POST", "/api/users/bulk", {
      token: superuser.token,
      body: {
        users: [
          { email: "not an email" },
          { email: "ok@example.com", disabled: true },
          { email: "short@example.com", password: "short" },
          { email: "role@example.com", role: "root", verified: "no" },
          "a string",
        ],
        tokens: "yes",
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("VALIDATION_FAILED");
    expect(Object.keys(answer.body.data).sort()).toEqual(
      [
        "tokens",
        "users.0.email",
        "users.1",
        "users.2.password",
        "users.3.role",
        "users.3.verified",
        "users.4",
      ].sort(),
    );
    expect(await db.prisma.user.count()).toBe(before);
  });

  it("refuses hostile bodies: too many, none, wrong types, NUL characters", async () => {
    const { call, superuser, db } = h();
    const before = await db.prisma.user.count();
    const refused = async (body: unknown) => {
      const answer = await call("POST", "/api/users/bulk", { token: superuser.token, body });
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.body.code).toBe("VALIDATION_FAILED");
      return answer.body.data;
    };
    const tooMany = Array.from({ length: MAX_BULK_USERS + 1 }, (_, i) => ({ email: `${i}@x.io` }));
    expect(Object.keys(await refused({ users: tooMany }))).toEqual(["users"]);
    expect(Object.keys(await refused({ users: [] }))).toEqual(["users"]);
    expect(Object.keys(await refused({ users: { email: "a@example.com" } }))).toEqual(["users"]);
    expect(Object.keys(await refused({}))).toEqual(["users"]);
    expect(Object.keys(await refused([{ email: "a@example.com" }]))).toEqual(["body"]);
    const nul = await refused({ users: [{ email: "a@example.com", name: "a\u0000" }] });
    expect(nul["users.0.name"].code).toBe("nul_character");
    const surrogate = await refused({ users: [{ email: "a@example.com", name: "\ud800" }] });
    expect(surrogate["users.0.name"].code).toBe("lone_surrogate");
    expect(await db.prisma.user.count()).toBe(before);
  });
});

describe("bulk users, timed", () => {
  const h = useRecordsHarness("postgres", { bodyLimit: 4 * 1024 * 1024 });

  // Passwords cost a scrypt hash each, CPU-bound; few by default, so that the suite's other timing
  // tests keep their cores. BULK_USERS_WITH_PASSWORDS=100 measures the figure in docs/benchmarks.md.
  const withPasswordCount = Number(process.env.BULK_USERS_WITH_PASSWORDS) || 10;

  // Prints the times (no assertion on them: machines differ); checks that everything was made.
  it("3,000 users without passwords (with tokens), then some with passwords", async () => {
    const { call, superuser, db } = h();
    const timed = async (users: unknown[], tokens: boolean) => {
      const started = performance.now();
      const answer = await call("POST", "/api/users/bulk", {
        token: superuser.token,
        body: { users, tokens },
      });
      const ms = Math.round(performance.now() - started);
      expect(answer.status).toBe(201);
      expect(answer.body.items).toHaveLength(users.length);
      return { ms, answer };
    };
    const plain = Array.from({ length: 3_000 }, (_, i) => ({ email: `load${i}@example.com` }));
    const fast = await timed(plain, true);
    expect(fast.answer.body.tokens).toHaveLength(3_000);
    const last = fast.answer.body.tokens[2_999] as string;
    expect((await call("GET", "/api/auth/me", { token: last })).body.user.email).toBe(
      "load2999@example.com",
    );
    const withPasswords = Array.from({ length: withPasswordCount }, (_, i) => ({
      email: `pw${i}@example.com`,
      password: `${PASSWORD} ${i}`,
    }));
    const slow = await timed(withPasswords, false);
    expect(await db.prisma.user.count()).toBe(3_001 + withPasswordCount);
    console.log(
      `bulk users: 3,000 without passwords, with tokens: ${fast.ms} ms; ${withPasswordCount} with passwords: ${slow.ms} ms`,
    );
  }, 120_000);
});
