import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryBus } from "@tidings/bus";
import { newId } from "@tidings/db";
import { openTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTokenService } from "./tokens.ts";
import { userCache } from "./user-cache.ts";

describe("tokens from an identity provider (JWKS)", () => {
  let db: TestDatabase;
  let server: Server;
  let jwksUrl: string;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

  beforeAll(async () => {
    db = await openTestDatabase("postgres");
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    server?.close();
    await db?.close();
  });

  const idpToken = (
    claims: Record<string, unknown>,
    options: { issuer?: string; audience?: string } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setSubject("idp-user-1")
      .setIssuer(options.issuer ?? "https://idp.example")
      .setAudience(options.audience ?? "tidings")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);

  // Own tokens and the identity provider's, with the provider's issuer and audience required.
  const idpTokenService = () =>
    createTokenService(
      {
        secret: "x".repeat(32),
        ttlSeconds: 60,
        jwksUrl,
        issuer: "https://idp.example",
        audience: "tidings",
      },
      db.prisma,
    );

  it("accepts an RS256 token signed by a key in the JWKS, as a plain user", async () => {
    const tokens = idpTokenService();
    const { user, expiresAt } = await tokens.verify(
      await idpToken({ email: "ann@example.com", role: "superuser" }),
    );
    expect(user).toMatchObject({ id: "idp-user-1", email: "ann@example.com", role: "user" });
    expect(expiresAt).toBeGreaterThan(Date.now());
  });

  it("accepts a token without `exp` as one that never expires", async () => {
    const tokens = createTokenService(
      { secret: "x".repeat(32), ttlSeconds: 60, jwksUrl, issuer: "https://idp.example" },
      db.prisma,
    );
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setSubject("idp-user-2")
      .setIssuer("https://idp.example")
      .sign(privateKey);
    const { user, expiresAt } = await tokens.verify(token);
    expect(user.id).toBe("idp-user-2");
    expect(expiresAt).toBeNull();
  });

  it("refuses a token from another issuer or audience", async () => {
    const tokens = idpTokenService();
    await expect(
      tokens.verify(await idpToken({}, { issuer: "https://evil.example" })),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(tokens.verify(await idpToken({}, { audience: "other" }))).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  it("refuses RS256 tokens when no JWKS is configured", async () => {
    const tokens = createTokenService({ secret: "x".repeat(32), ttlSeconds: 60 }, db.prisma);
    await expect(tokens.verify(await idpToken({}))).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

/**
 * Runs `body` with a token service whose user cache follows a bus, and one user (token key `k1`)
 * in a fresh database: a token is checked against the cached user until a change is announced.
 */
async function withCachedUser(
  body: (ctx: {
    db: TestDatabase;
    tokens: ReturnType<typeof createTokenService>;
    row: Awaited<ReturnType<TestDatabase["prisma"]["user"]["create"]>>;
  }) => Promise<void>,
): Promise<void> {
  await using db = await openTestDatabase("postgres");
  const bus = createMemoryBus({ prefix: `tokens${newId(6)}` });
  await bus.start();
  try {
    const users = userCache(db.sql);
    users.follow(bus);
    const tokens = createTokenService({ secret: "x".repeat(32) }, db.prisma, users);
    const row = await db.prisma.user.create({
      data: { id: newId(), email: `${newId(6)}@example.com`, passwordHash: "h", tokenKey: "k1" },
    });
    await body({ db, tokens, row });
  } finally {
    await bus.stop();
  }
}

describe("tokens of a user who changes", () => {
  it("onUserChanged - a listener verifying the user's token sees it revoked, then the user gone", async () => {
    await withCachedUser(async ({ db, tokens, row }) => {
      const token = await tokens.issue(row);
      const before = await tokens.keyFingerprint(row.id);
      expect((await tokens.verify(token)).user.id).toBe(row.id);
      const heard: { userId: string | undefined; valid: boolean }[] = [];
      tokens.onUserChanged((userId) => {
        void tokens.verify(token).then(
          () => heard.push({ userId, valid: true }),
          () => heard.push({ userId, valid: false }),
        );
      });
      await db.prisma.user.update({ where: { id: row.id }, data: { tokenKey: "k2" } });
      tokens.userChanged(row.id);
      await vi.waitFor(() => expect(heard).toEqual([{ userId: row.id, valid: false }]));
      const after = await tokens.keyFingerprint(row.id);
      expect(after).toEqual(expect.any(String));
      expect(after).not.toBe(before);
      await db.prisma.user.delete({ where: { id: row.id } });
      tokens.userChanged(row.id);
      await vi.waitFor(() => expect(heard).toHaveLength(2));
      expect(await tokens.keyFingerprint(row.id)).toBeUndefined();
    });
  });

  it("a disabled user's tokens are refused, even with the user cached, and hold no key fingerprint", async () => {
    await withCachedUser(async ({ db, tokens, row }) => {
      const token = await tokens.issue(row);
      expect((await tokens.verify(token)).user.disabled).toBe(false);
      // Only the flag changes (no key rotation): the check of the flag alone refuses the token.
      await db.prisma.user.update({ where: { id: row.id }, data: { disabled: true } });
      tokens.userChanged(row.id);
      await expect(tokens.verify(token)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      expect(await tokens.keyFingerprint(row.id)).toBeUndefined();
    });
  });

  it("fixedLifetime - an impersonation token has its own lifetime and says it is not refreshed", async () => {
    await using db = await openTestDatabase("postgres");
    const tokens = createTokenService({ secret: "x".repeat(32), ttlSeconds: 3600 }, db.prisma);
    const row = await db.prisma.user.create({
      data: { id: newId(), email: `${newId(6)}@example.com`, passwordHash: "h", tokenKey: "k1" },
    });
    const plain = await tokens.verify(await tokens.issue(row));
    expect(plain).not.toHaveProperty("fixedLifetime");
    const fixed = await tokens.verify(
      await tokens.issue(row, { ttlSeconds: 60, fixedLifetime: true }),
    );
    expect(fixed.fixedLifetime).toBe(true);
    expect((fixed.expiresAt as number) - Date.now()).toBeLessThanOrEqual(60_000);
    expect((plain.expiresAt as number) - Date.now()).toBeGreaterThan(3_500_000);
  });
});
