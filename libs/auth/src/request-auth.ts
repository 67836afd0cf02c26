import { TidingsError } from "@tidings/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AuthUser } from "./auth-user.ts";
import type { TokenService } from "./tokens.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated user, or null for an anonymous request. */
    auth: AuthUser | null;
  }
}

/** Takes the token from `Authorization: Bearer <t>` or a bare `Authorization: <t>`. */
export function tokenFromHeader(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  const match = /^Bearer\s+(.+)$/i.exec(value);
  const token = (match ? match[1] : value)?.trim();
  return token ? token : undefined;
}

/**
 * Resolves `request.auth` for every route of `app`. No token means anonymous; a token that does
 * not verify is refused with `UNAUTHORIZED` rather than silently downgraded to anonymous.
 */
export function registerRequestAuth(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest("auth", null);
  app.addHook("onRequest", async (request: FastifyRequest) => {
    const token = tokenFromHeader(request.headers.authorization);
    request.auth = token ? (await tokens.verify(token)).user : null;
  });
}

/** The requester must be signed in. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.auth) throw new TidingsError("UNAUTHORIZED", "Sign in to do this.");
  return request.auth;
}

/** The requester must be a superuser. */
export function requireSuperuser(request: FastifyRequest): AuthUser {
  const user = requireUser(request);
  if (user.role !== "superuser")
    throw new TidingsError("FORBIDDEN", "Only superusers can do this.");
  return user;
}
