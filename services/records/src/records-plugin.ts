import rateLimit from "@fastify/rate-limit";
import { registerRequestAuth, type TokenService } from "@tidings/auth";
import type { CollectionCatalog } from "@tidings/collections";
import type { PrismaClient, SqlClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { countRefusal } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { registerAuthRoutes } from "./auth/auth-routes.ts";
import { loginPolicy } from "./auth/login-policy.ts";
import { registerCollectionRoutes } from "./collections/collection-routes.ts";
import { acceptEmptyDeleteBodies } from "./http/empty-delete-body.ts";
import { registerPocketBaseAuthRoutes } from "./pocketbase/pocketbase-auth-routes.ts";
import { registerUserRecordRoutes } from "./pocketbase/user-record-routes.ts";
import { registerRecordRoutes } from "./records/record-routes.ts";
import { registerUserRoutes } from "./users/user-routes.ts";

/** What the records routes need. */
export interface RecordsPluginDeps {
  prisma: PrismaClient;
  sql: SqlClient;
  collections: CollectionCatalog;
  tokens: TokenService;
  /** Requests per minute per client address on the auth endpoints. */
  authRateLimit: number;
  /** Shortest password a new account may have. */
  passwordMinLength: number;
  /** Failed logins an account may have within 15 minutes. */
  loginFailuresPerAccount: number;
}

/**
 * The records service's routes (auth, users, collections, records) in their own encapsulated scope, so
 * a process can host them next to other services' routes.
 */
export async function recordsPlugin(app: FastifyInstance, deps: RecordsPluginDeps): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => {
      countRefusal("http_requests");
      return new TidingsError(
        "RATE_LIMITED",
        `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s.`,
        {
          retryAfterSeconds: Math.ceil(context.ttl / 1000),
        },
      );
    },
  });
  registerRequestAuth(app, deps.tokens);
  acceptEmptyDeleteBodies(app);
  // One policy for every login route, so their limits are shared rather than added up.
  const login = loginPolicy(deps);
  registerAuthRoutes(app, { prisma: deps.prisma, tokens: deps.tokens, login });
  registerCollectionRoutes(app, deps);
  registerRecordRoutes(app, deps);
  registerPocketBaseAuthRoutes(app, { prisma: deps.prisma, tokens: deps.tokens, login });
  registerUserRoutes(app, deps);
  // Static `/api/collections/users/…` paths, preferred by the router over the record routes'
  // `/api/collections/:collection/…`.
  registerUserRecordRoutes(app, { prisma: deps.prisma, tokens: deps.tokens, login });
}
