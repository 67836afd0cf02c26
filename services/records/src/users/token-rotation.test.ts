import { describe, expect, it } from "vitest";
import { useRecordsHarness } from "../testing/records-harness.ts";

const RECORDS = "/api/collections/users/records";

describe.each(["postgres", "pglite"] as const)("changes that sign a user out on %s", (backend) => {
  const h = useRecordsHarness(backend);

  // Whether a new user's token still works after a superuser sends them `body` at `url(id)`;
  // `body` may also be made from the user's email.
  async function keepsToken(
    url: (id: string) => string,
    body: Record<string, unknown> | ((email: string) => Record<string, unknown>),
  ) {
    const { call, superuser, user } = h();
    const target = await user();
    const sent = typeof body === "function" ? body(target.user.email) : body;
    const answer = await call("PATCH", url(target.user.id), { token: superuser.token, body: sent });
    expect(answer.status, JSON.stringify(sent)).toBe(200);
    const me = await call("GET", "/api/auth/me", { token: target.token });
    return me.status === 200;
  }

  for (const [api, url] of [
    ["/api/users", (id: string) => `/api/users/${id}`],
    ["the users records", (id: string) => `${RECORDS}/${id}`],
  ] as const) {
    it(`${api} - a new email or verified signs the user out; a name or the same values do not`, async () => {
      expect(await keepsToken(url, { email: "new@example.com" })).toBe(false);
      expect(await keepsToken(url, { verified: true })).toBe(false);
      expect(await keepsToken(url, { name: "New name" })).toBe(true);
      // A form sent back whole: email (in any case) and verified as they are.
      const echo = (email: string) => ({ email: email.toUpperCase(), verified: false, name: "R" });
      expect(await keepsToken(url, echo)).toBe(true);
    });
  }

  it("/api/users - a new role signs the user out, the same role does not", async () => {
    const url = (id: string) => `/api/users/${id}`;
    expect(await keepsToken(url, { role: "superuser" })).toBe(false);
    expect(await keepsToken(url, { role: "user" })).toBe(true);
    expect(await keepsToken(url, { disabled: false })).toBe(true);
  });

  it("a user renaming themself through the users records keeps their token", async () => {
    const { call, user } = h();
    const ann = await user();
    const renamed = await call("PATCH", `${RECORDS}/${ann.user.id}`, {
      token: ann.token,
      body: { name: "Ann", email: ann.user.email, verified: false },
    });
    expect(renamed.status).toBe(200);
    const me = await call("GET", "/api/auth/me", { token: ann.token });
    expect(me.body.user).toMatchObject({ id: ann.user.id, name: "Ann" });
  });

  it("a promoted user's old token does not become a superuser's", async () => {
    const { call, superuser, user } = h();
    const ann = await user();
    const issued = await call("POST", `/api/users/${ann.user.id}/token`, {
      token: superuser.token,
      body: { duration: 600 },
    });
    await call("PATCH", `/api/users/${ann.user.id}`, {
      token: superuser.token,
      body: { role: "superuser" },
    });
    for (const token of [ann.token, issued.body.token]) {
      expect((await call("GET", "/api/users", { token })).status).toBe(401);
    }
  });
});
