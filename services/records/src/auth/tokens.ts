import { createHash } from "node:crypto";
import { isDatabaseUnavailable, type PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
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

/** How tokens are signed and checked. */
export interface TokenOptions {
  /** HS256 secret for the tokens Tidings issues. */
  secret: string;
  /** Lifetime of issued tokens. */
  ttlSeconds: number;
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
}

/** Issues and checks bearer tokens. */
export interface TokenService {
  issue(user: { id: string; tokenKey: string }): Promise<string>;
  /** Throws `UNAUTHORIZED` for anything but a valid, unexpired, unrevoked token. */
  verify(token: string): Promise<VerifiedToken>;
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

/** Creates the token service over the users table. */
export function createTokenService(options: TokenOptions, prisma: PrismaClient): TokenService {
  const key = new TextEncoder().encode(options.secret);
  const jwks: JWTVerifyGetKey | undefined = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl))
    : undefined;

  async function verifyOwn(token: string): Promise<VerifiedToken> {
    const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], typ: "JWT" });
    if (
      payload.type !== TOKEN_TYPE ||
      typeof payload.sub !== "string" ||
      typeof payload.tk !== "string"
    ) {
      throw unauthorized("The token is not an auth token.");
    }
    const user = await prisma.user.findUnique({ where: { id: payload.sub } });
    if (!user || fingerprint(user.tokenKey) !== payload.tk) {
      throw unauthorized("The token has been revoked.");
    }
    return { user: toAuthUser(user), expiresAt: expiryOf(payload) };
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
    const local = await prisma.user.findUnique({ where: { id: payload.sub } });
    return {
      user: local ? toAuthUser(local) : externalUser(payload),
      expiresAt: expiryOf(payload),
    };
  }

  return {
    async issue(user) {
      return new SignJWT({ type: TOKEN_TYPE, tk: fingerprint(user.tokenKey) })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(user.id)
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds}s`)
        .sign(key);
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
        if (error instanceof joseErrors.JWTExpired)
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
    created: at,
    updated: at,
  };
}
