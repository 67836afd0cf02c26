import { createHash } from "node:crypto";
import { isDatabaseUnavailable, type PrismaClient, type User } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { ChangeCache } from "@tidings/service";
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from "jose";
import { type AuthUser, toAuthUser } from "./auth-user.ts";
import { OwnTokenError, verifyHs256 } from "./hs256.ts";

/** How tokens are signed and checked. */
export interface TokenOptions {
  /** HS256 secret for the tokens Tidings issues. */
  secret: string;
  /** Lifetime of issued tokens (only records issues them). @default 604800 (7 days) */
  ttlSeconds?: number;
  /** Accept RS256/ES256 tokens of an identity provider whose keys are published here. */
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** A checked token: who it speaks for and until when. */
export interface VerifiedToken {
  user: AuthUser;
  /** Expiry in epoch milliseconds; null for an identity provider's token that carries no `exp`. */
  expiresAt: number | null;
  /**
   * Issued with a lifetime of its own (a superuser's impersonation token): it is not refreshed
   * into an ordinary one, so that lifetime holds. Absent for every other token.
   */
  fixedLifetime?: true;
}

/** How one token is issued. */
export interface IssueOptions {
  /** Lifetime in seconds. @default the configured `ttlSeconds` */
  ttlSeconds?: number;
  /**
   * Marks the token ({@link VerifiedToken.fixedLifetime}) so that refreshing cannot extend its
   * lifetime: a superuser's impersonation token. @default false
   */
  fixedLifetime?: boolean;
}

/** Issues and checks bearer tokens. */
export interface TokenService {
  /** Lifetime in seconds of a token issued without one of its own (`ttlSeconds` of the options). */
  readonly ttlSeconds: number;
  issue(user: { id: string; tokenKey: string }, options?: IssueOptions): Promise<string>;
  /**
   * Throws `UNAUTHORIZED` for anything but a valid, unexpired, unrevoked token of a user who is
   * not disabled.
   */
  verify(token: string): Promise<VerifiedToken>;
  /** A user's token key, role or existence changed: every replica reads it again. */
  userChanged(userId: string): void;
  /**
   * Calls `listener` with the id of each user any replica announced as changed (revoked, password
   * changed, deleted), or with undefined when announcements may have been missed (after the bus
   * reconnected): a {@link verify} from the listener sees the user as stored now. Only with the
   * process's shared user cache, once it follows the bus. Returns the function that stops it.
   */
  onUserChanged(listener: (userId: string | undefined) => void): () => void;
  /**
   * A fingerprint of the key every token of the user is checked against: it changes when they are
   * revoked. Undefined for a user not stored here (deleted, unknown, or the identity provider's)
   * and for a disabled one, whose credentials hold nothing.
   */
  keyFingerprint(userId: string): Promise<string | undefined>;
}

const TOKEN_TYPE = "auth";

// Tokens carry a fingerprint of the user's token key, not the key: rotating the key revokes them.
function fingerprint(tokenKey: string): string {
  return createHash("sha256").update(tokenKey).digest("base64url").slice(0, 22);
}

// The tokens Tidings issues always expire; an identity provider's may not, and then never does here.
function expiryOf(payload: JWTPayload): number | null {
  return payload.exp === undefined ? null : payload.exp * 1000;
}

function unauthorized(message: string, cause?: unknown): TidingsError {
  return new TidingsError("UNAUTHORIZED", message, {}, { cause });
}

// Users read through Prisma on every check: a cache that is never told to follow changes.
function uncachedUsers(prisma: PrismaClient): ChangeCache<User> {
  return new ChangeCache<User>({
    topic: "users",
    load: async (id) => (await prisma.user.findUnique({ where: { id } })) ?? undefined,
    keysOf: (user) => [user.id],
  });
}

/** What a checked signature of our own says: who, which token key, until when. */
interface OwnClaims {
  sub: string;
  tk: string;
  /** Expiry in epoch milliseconds; null for a token without `exp`. */
  expiresAt: number | null;
  fixedLifetime: boolean;
}

// Signatures already checked, by token: a token is sent with every request, and its claims cannot
// change. Bounded; the least recently used go first.
const MAX_CHECKED_TOKENS = 10_000;

/**
 * Creates the token service over the users table. `users` is the process's shared cache of
 * users (see user-cache.ts); without one, every check reads the user from the database.
 */
export function createTokenService(
  options: TokenOptions,
  prisma: PrismaClient,
  users: ChangeCache<User> = uncachedUsers(prisma),
): TokenService {
  const key = new TextEncoder().encode(options.secret);
  const jwks: JWTVerifyGetKey | undefined = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl))
    : undefined;
  const checked = new Map<string, OwnClaims>();
  // A cached user is the same object on every request: its key's fingerprint is hashed once.
  const fingerprints = new WeakMap<User, string>();
  const fingerprintOf = (user: User) => {
    let known = fingerprints.get(user);
    if (known === undefined) {
      known = fingerprint(user.tokenKey);
      fingerprints.set(user, known);
    }
    return known;
  };

  async function ownClaims(token: string): Promise<OwnClaims> {
    const known = checked.get(token);
    if (known && (known.expiresAt === null || known.expiresAt > Date.now())) {
      checked.delete(token);
      checked.set(token, known);
      return known;
    }
    // An expired token is checked again, which says so.
    const payload = verifyHs256(token, key);
    if (
      payload.type !== TOKEN_TYPE ||
      typeof payload.sub !== "string" ||
      typeof payload.tk !== "string"
    ) {
      throw unauthorized("The token is not an auth token.");
    }
    const claims = {
      sub: payload.sub,
      tk: payload.tk,
      expiresAt: expiryOf(payload as JWTPayload),
      fixedLifetime: payload.fixed === true,
    };
    // Only tokens valid from now on are kept (one with a future `nbf` is checked again).
    if (payload.nbf === undefined) {
      checked.set(token, claims);
      if (checked.size > MAX_CHECKED_TOKENS) checked.delete(checked.keys().next().value as string);
    }
    return claims;
  }

  async function verifyOwn(token: string): Promise<VerifiedToken> {
    const claims = await ownClaims(token);
    const user = await users.get(claims.sub);
    // Disabling also rotates the key; checking the flag too covers a row changed by hand.
    if (!user || user.disabled || fingerprintOf(user) !== claims.tk) {
      throw unauthorized("The token has been revoked.");
    }
    return {
      user: toAuthUser(user),
      expiresAt: claims.expiresAt,
      ...(claims.fixedLifetime && { fixedLifetime: true as const }),
    };
  }

  async function verifyExternal(token: string, getKey: JWTVerifyGetKey): Promise<VerifiedToken> {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: ["RS256", "ES256"],
      issuer: options.issuer,
      audience: options.audience,
    });
    if (typeof payload.sub !== "string" || payload.sub.length === 0) {
      throw unauthorized("The token has no subject.");
    }
    const local = await users.get(payload.sub);
    // An account disabled here is refused whoever vouches for it.
    if (local?.disabled) throw unauthorized("The account is disabled.");
    return {
      user: local ? toAuthUser(local) : externalUser(payload),
      expiresAt: expiryOf(payload),
    };
  }

  const ttlSeconds = options.ttlSeconds ?? 604_800;
  return {
    ttlSeconds,
    async issue(user, issue = {}) {
      return new SignJWT({
        type: TOKEN_TYPE,
        tk: fingerprint(user.tokenKey),
        ...(issue.fixedLifetime && { fixed: true }),
      })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(user.id)
        .setIssuedAt()
        .setExpirationTime(`${issue.ttlSeconds ?? ttlSeconds}s`)
        .sign(key);
    },
    userChanged: (userId) => users.changed(userId),
    onUserChanged: (listener) => users.onChanged(listener),
    async keyFingerprint(userId) {
      const user = await users.get(userId);
      return user && !user.disabled ? fingerprintOf(user) : undefined;
    },
    async verify(token) {
      try {
        const { alg } = decodeProtectedHeader(token);
        if (alg === "HS256") return await verifyOwn(token);
        if (jwks && (alg === "RS256" || alg === "ES256")) return await verifyExternal(token, jwks);
        throw unauthorized("The token is signed with an unsupported algorithm.");
      } catch (error) {
        // A database that cannot answer says nothing about the token: the request fails as
        // UNAVAILABLE (retry), not UNAUTHORIZED (which tells the client to sign in again).
        if (error instanceof TidingsError || isDatabaseUnavailable(error)) throw error;
        if (
          error instanceof joseErrors.JWTExpired ||
          (error instanceof OwnTokenError && error.reason === "expired")
        )
          throw unauthorized("The token has expired.", error);
        throw unauthorized("The token is invalid.", error);
      }
    },
  };
}

// A user known only to the identity provider: rules see the claims it vouches for, never a
// superuser role (that is granted in Tidings only).
function externalUser(payload: JWTPayload): AuthUser {
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const at = new Date((payload.iat ?? 0) * 1000).toISOString();
  return {
    id: payload.sub as string,
    email: text(payload.email),
    name: text(payload.name),
    role: "user",
    verified: payload.email_verified === true,
    disabled: false,
    created: at,
    updated: at,
  };
}
