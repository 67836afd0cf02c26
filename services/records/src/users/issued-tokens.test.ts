import { openTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { createLogger } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../app.ts";
import {
  type RecordsHarness,
  recordsHarness,
  TEST_APP_OPTIONS,
  testPasswordHash,
  useRecordsHarness,
} from "../testing/records-harness.ts";

const IMPERSONATE = "/api/collections/users/impersonate";

describe.each(["postgres", "pglite"] as const)("tokens for superusers on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("/token and impersonate refuse a superuser's account (another's or one's own) as FORBIDDEN", async () => {
    const { call, superuser, user } = h();
    const other = await user({ role: "superuser" });
    for (const id of [other.user.id, superuser.user.id]) {
      for (const url of [`/api/users/${id}/token`, `${IMPERSONATE}/${id}`]) {
        const refused = await call("POST", url, { token: superuser.token, body: { duration: 60 } });
        expect(refused.status, url).toBe(403);
        expect(refused.body.code).toBe("FORBIDDEN");
        expect(refused.body.message).toMatch(/superuser signs in with their own password/);
      }
    }
    const ann = await user();
    for (const url of [`/api/users/${ann.user.id}/token`, `${IMPERSONATE}/${ann.user.id}`]) {
      expect((await call("POST", url, { token: superuser.token, body: {} })).status, url).toBe(200);
    }
  });
});

describe("issued tokens are logged", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let h: RecordsHarness;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    db = await openTestDatabase("pglite");
    const logger = createLogger("info", { write: (line: string) => lines.push(JSON.parse(line)) });
    app = await buildApp({ ...TEST_APP_OPTIONS, accessLog: false }, { db, logger });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });
  beforeEach(async () => {
    await db.reset();
    h = await recordsHarness(app, db, TEST_APP_OPTIONS, await testPasswordHash());
    lines.length = 0;
  });

  it("one info line per token (per batch for bulk), through the request's logger: issuer, user, duration, never the token", async () => {
    const { call, superuser, user } = h;
    const ann = await user();
    const token = superuser.token;
    const issued = [
      (await call("POST", `/api/users/${ann.user.id}/token`, { token, body: { duration: 90 } }))
        .body.token,
      (await call("POST", `${IMPERSONATE}/${ann.user.id}`, { token, body: {} })).body.token,
    ];
    const bulk = await call("POST", "/api/users/bulk", {
      token,
      body: { users: [{ email: "b1@example.com" }, { email: "b2@example.com" }], tokens: true },
    });
    issued.push(...bulk.body.tokens);
    // Refused: no token, no line.
    await call("POST", `/api/users/${superuser.user.id}/token`, { token, body: {} });
    const noted = lines.filter((line) => line.msg === "a superuser issued a token for a user");
    const ttl = TEST_APP_OPTIONS.jwt.ttlSeconds;
    expect(
      noted.map(({ issuerId, userId, durationSeconds }) => [issuerId, userId, durationSeconds]),
    ).toEqual([
      [superuser.user.id, ann.user.id, 90],
      [superuser.user.id, ann.user.id, ttl],
    ]);
    const batches = lines.filter((line) => line.msg === "a superuser issued tokens for new users");
    expect(batches).toMatchObject([
      { issuerId: superuser.user.id, count: 2, durationSeconds: ttl },
    ]);
    for (const line of [...noted, ...batches])
      expect(line).toMatchObject({ level: 30, reqId: expect.any(String) });
    const written = JSON.stringify(lines);
    for (const one of issued) {
      expect(one).toEqual(expect.any(String));
      expect(written).not.toContain(one);
      // Not even the signature alone.
      expect(written).not.toContain(one.split(".")[2]);
    }
  });
});
