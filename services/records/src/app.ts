import { createTokenService, type TokenOptions } from "@tidings/auth";
import { createSharedCaches, type SharedCaches } from "@tidings/collections";
import { consolePage } from "@tidings/console";
import type { Database } from "@tidings/db";
import { errorBody } from "@tidings/protocol";
import {
  type CorsOrigins,
  createLifecycle,
  createLogger,
  DEFAULT_JSON_MAX_DEPTH,
  type Lifecycle,
  registerCors,
  registerErrorHandling,
  registerHealthRoutes,
  registerInputChecks,
  registerRequestIdEcho,
  registerRequestTelemetry,
  registerSecurityHeaders,
  renderFrameworkError,
  requestId,
} from "@tidings/service";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { type AdminRoutesDeps, adminRoutes } from "./admin/admin-routes.ts";
import { publishRoutes } from "./publish/publish-routes.ts";
import { createServiceAuth } from "./publish/service-auth.ts";
import { recordsPlugin } from "./records-plugin.ts";

/** What the records app is built from. */
export interface RecordsAppOptions {
  /** Token signing; the secret is already resolved. */
  jwt: TokenOptions;
  bodyLimit: number;
  /**
   * Deepest nesting of objects and arrays accepted in a body (TIDINGS_JSON_MAX_DEPTH).
   * @default DEFAULT_JSON_MAX_DEPTH
   */
  jsonMaxDepth?: number;
  authRateLimit: number;
  /** Shortest password a new account may have. */
  passwordMinLength: number;
  /** Failed logins an account may have within 15 minutes. */
  loginFailuresPerAccount: number;
  trustProxy: boolean;
  /** Origins whose pages may call the API; default `*`. */
  corsOrigins?: CorsOrigins;
  logLevel: string;
  /**
   * One access line per request (TIDINGS_ACCESS_LOG).
   * @default true
   */
  accessLog?: boolean;
  /** Tokens of the services that may use the internal publish API; empty = none may. */
  serviceTokens: readonly string[];
}

/** Resources the app uses but does not own. */
export interface RecordsAppDeps {
  db: Database;
  /** The process's logger; one is made from `logLevel` when absent. */
  logger?: FastifyBaseLogger;
  lifecycle?: Lifecycle;
  /**
   * The process's caches of collections and users; caching starts once they follow the bus
   * (`followChanges`). @default caches of its own, which keep nothing
   */
  caches?: SharedCaches;
  /**
   * The bus and the processes' heartbeats behind `/api/admin/*`; without them (an app with no
   * cluster to show) those routes are not served.
   */
  admin?: Pick<AdminRoutesDeps, "bus" | "board" | "clientsTimeoutMs">;
}

/**
 * Builds the HTTP server of the records service without listening: tests call `inject()` or
 * `listen({ port: 0 })` on what this returns.
 */
export async function buildApp(
  options: RecordsAppOptions,
  deps: RecordsAppDeps,
): Promise<FastifyInstance> {
  const lifecycle = deps.lifecycle ?? createLifecycle();
  const app = Fastify({
    loggerInstance: deps.logger ?? createLogger(options.logLevel),
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    // Errors are rendered by our handler; Fastify must not add its own shape.
    return503OnClosing: false,
    frameworkErrors: renderFrameworkError,
    // Fastify's two lines per request are replaced by one access line (registerRequestTelemetry).
    logController: new LogController({ disableRequestLogging: true }),
    // A request's id (its log lines' reqId) is the caller's X-Request-Id when usable.
    requestIdHeader: false,
    genReqId: requestId,
  });
  registerErrorHandling(app);
  registerRequestIdEcho(app);
  registerRequestTelemetry(app, { accessLog: options.accessLog ?? true });
  // Before every route, so text the database cannot store never reaches it from any of them.
  registerInputChecks(app, options.jsonMaxDepth ?? DEFAULT_JSON_MAX_DEPTH);
  registerCors(app, options.corsOrigins ?? "*");
  registerSecurityHeaders(app);
  app.addHook("onRequest", async (request, reply) => {
    if (
      lifecycle.draining &&
      !request.url.startsWith("/healthz") &&
      !request.url.startsWith("/readyz")
    ) {
      return reply
        .status(503)
        .header("connection", "close")
        .send(errorBody("UNAVAILABLE", "The server is shutting down; retry."));
    }
  });
  registerHealthRoutes(app, lifecycle, { database: () => deps.db.ping() });
  const caches = deps.caches ?? createSharedCaches(deps.db);
  const tokens = createTokenService(options.jwt, deps.db.prisma, caches.users);
  await app.register(recordsPlugin, {
    prisma: deps.db.prisma,
    sql: deps.db.sql,
    collections: caches.collections,
    tokens,
    authRateLimit: options.authRateLimit,
    passwordMinLength: options.passwordMinLength,
    loginFailuresPerAccount: options.loginFailuresPerAccount,
  });
  // A sibling scope, not a child of the records plugin, whose user-token hook must not run here.
  await app.register(publishRoutes, {
    prisma: deps.db.prisma,
    serviceAuth: createServiceAuth(options.serviceTokens),
  });
  // The admin console's page and files at /_/; it calls the routes above with a superuser's token.
  await app.register(consolePage);
  if (deps.admin) {
    await app.register(adminRoutes, {
      ...deps.admin,
      sql: deps.db.sql,
      collections: caches.collections,
      tokens,
      prefix: "/api/admin",
    });
  }
  return app;
}
