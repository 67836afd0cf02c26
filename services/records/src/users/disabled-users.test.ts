import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { TEST_APP_OPTIONS, TEST_PASSWORD, useRecordsHarness } from "../testing/records-harness.ts";
import { useReplicaPair } from "../testing/replica-pair.ts";

describe.each(["postgres", "pglite"] as const)(
  "disabled users and their tokens on %s",
  (backend) => {
    const h = useRecordsHarness(backend);

    it("disable - every login route says ACCOUNT_DISABLED (to the right password only), tokens are refused, enabling signs in again", async () => {
      const { call, superuser, user } = h();
      const ann = await user();
      const disabled = await call("PATCH", `/api/users/${ann.user.id}`, {
        token: superuser.token,
        body: { disabled: true },
      });
      expect(disabled.body).toMatchObject({ id: ann.user.id, disabled: true });
      expect((await call("GET", "/api/auth/me", { token: ann.token })).status).toBe(401);
      const email = ann.user.email;
      const login = await call("POST", "/api/auth/login", {
        body: { email, password: TEST_PASSWORD },
      });
      expect(login.status).toBe(403);
      expect(login.body).toMatchObject({ status: 403, code: "ACCOUNT_DISABLED" });
      const wrong = await call("POST", "/api/auth/login", { body: { email, password: "not it" } });
      expect(wrong.body.code).toBe("INVALID_CREDENTIALS");
      for (const collection of ["users", "_superusers"]) {
        const pb = await call("POST", `/api/collections/${collection}/auth-with-password`, {
          body: { identity: email, password: TEST_PASSWORD },
        });
        expect(pb.status, collection).toBe(403);
        expect(pb.body.code).toBe("ACCOUNT_DISABLED");
      }
      for (const url of [
        `/api/users/${ann.user.id}/token`,
        `/api/collections/users/impersonate/${ann.user.id}`,
      ]) {
        const issued = await call("POST", url, { token: superuser.token, body: {} });
        expect(issued.status, url).toBe(403);
        expect(issued.body.code).toBe("ACCOUNT_DISABLED");
      }
      const listed = await call("GET", `/api/users?search=${email}`, { token: superuser.token });
      expect(listed.body.items).toEqual([expect.objectContaining({ disabled: true })]);

      await call("PATCH", `/api/users/${ann.user.id}`, {
        token: superuser.token,
        body: { disabled: false },
      });
      // Disabling rotated the key: tokens from before stay revoked after enabling.
      expect((await call("GET", "/api/auth/me", { token: ann.token })).status).toBe(401);
      const again = await call("POST", "/api/auth/login", {
        body: { email, password: TEST_PASSWORD },
      });
      expect(again.status).toBe(200);
      expect(again.body.user.disabled).toBe(false);
    });

    it("create disabled: the account exists but cannot sign in", async () => {
      const { call, superuser } = h();
      const created = await call("POST", "/api/users", {
        token: superuser.token,
        body: { email: "off@example.com", password: "a long enough password", disabled: true },
      });
      expect(created.body.disabled).toBe(true);
      const login = await call("POST", "/api/auth/login", {
        body: { email: "off@example.com", password: "a long enough password" },
      });
      expect(login.body.code).toBe("ACCOUNT_DISABLED");
    });

    it("revoke - every token of the user stops working; others keep theirs", async () => {
      const { call, superuser, user } = h();
      const [ann, bob] = [await user(), await user()];
      const revoked = await call("POST", `/api/users/${ann.user.id}/revoke`, {
        token: superuser.token,
      });
      expect(revoked.status).toBe(204);
      expect((await call("GET", "/api/auth/me", { token: ann.token })).status).toBe(401);
      expect((await call("GET", "/api/auth/me", { token: bob.token })).status).toBe(200);
      const login = await call("POST", "/api/auth/login", {
        body: { email: ann.user.email, password: TEST_PASSWORD },
      });
      expect(login.status).toBe(200);
    });

    it("token - bounded duration, acts as the user, is not refreshed, ends when the user is revoked", async () => {
      const { call, superuser, user } = h();
      const ann = await user();
      const url = `/api/users/${ann.user.id}/token`;
      for (const body of [
        { duration: -1 },
        { duration: 1.5 },
        { duration: "60" },
        { duration: 30 * 86_400 + 1 },
        { duration: 60, extra: 1 },
      ]) {
        const refused = await call("POST", url, { token: superuser.token, body });
        expect(refused.status, JSON.stringify(body)).toBe(400);
        expect(refused.body.code).toBe("VALIDATION_FAILED");
      }
      const short = await call("POST", url, { token: superuser.token, body: { duration: 60 } });
      const claims = decodeJwt(short.body.token);
      expect((claims.exp as number) - (claims.iat as number)).toBe(60);
      const standard = await call("POST", url, { token: superuser.token, body: { duration: 0 } });
      const defaults = decodeJwt(standard.body.token);
      expect((defaults.exp as number) - (defaults.iat as number)).toBe(
        TEST_APP_OPTIONS.jwt.ttlSeconds,
      );
      const me = await call("GET", "/api/auth/me", { token: short.body.token });
      expect(me.body.user.id).toBe(ann.user.id);
      const refresh = await call("POST", "/api/auth/refresh", { token: short.body.token });
      expect(refresh.status).toBe(403);
      expect(refresh.body.code).toBe("FORBIDDEN");
      await call("POST", `/api/users/${ann.user.id}/revoke`, { token: superuser.token });
      expect((await call("GET", "/api/auth/me", { token: short.body.token })).status).toBe(401);
    });
  },
);

// Two replicas on one database and bus, each caching users: a token one replica has already
// checked (and holds the user of) must be refused there as soon as the other disables the user.
describe("disabling reaches tokens another replica holds", () => {
  const replicas = useReplicaPair("users");

  it("a cached token is refused on the other replica right after disabling or revoking", async () => {
    const { a, b } = replicas();
    const [ann, bob] = [await a.user(), await a.user()];
    for (const token of [ann.token, bob.token])
      expect((await b.call("GET", "/api/auth/me", { token })).status).toBe(200);
    await a.call("PATCH", `/api/users/${ann.user.id}`, {
      token: a.superuser.token,
      body: { disabled: true },
    });
    await a.call("POST", `/api/users/${bob.user.id}/revoke`, { token: a.superuser.token });
    await new Promise((resolve) => setImmediate(resolve));
    for (const token of [ann.token, bob.token])
      expect((await b.call("GET", "/api/auth/me", { token })).status).toBe(401);
  });
});
