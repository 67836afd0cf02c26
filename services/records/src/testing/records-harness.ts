import { type AuthUser, createTokenService, type TokenService, toAuthUser } from "@tidings/auth";
import type { Database } from "@tidings/db";
import { newId } from "@tidings/db";
import { openTestDatabase, type TestBackend, type TestDatabase } from "@tidings/db/testing";
import type { FastifyInstance, InjectOptions } from "fastify";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { buildApp, type RecordsAppOptions } from "../app.ts";
import { hashPassword } from "../auth/password.ts";
import { newTokenKey } from "../auth/users.ts";

/** The password of every user the harness creates. */
export const TEST_PASSWORD = "correct horse battery staple";

/** A signed-in test user. */
export interface TestUser {
  token: string;
  user: AuthUser;
}

/** A JSON answer from the app. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
  headers: Record<string, unknown>;
}

/** A records app on a fresh database, with shortcuts for tests. */
export interface RecordsHarness {
  app: FastifyInstance;
  db: Database;
  tokens: TokenService;
  /** A superuser created for this test. */
  superuser: TestUser;
  /** Creates a user directly in the database (the register endpoint has its own tests). */
  user(options?: { email?: string; role?: "user" | "superuser" }): Promise<TestUser>;
  /** Sends a request; `token` becomes `Authorization: Bearer`. */
  call(
    method: InjectOptions["method"],
    url: string,
    options?: { token?: string | undefined; body?: unknown; headers?: Record<string, string> },
  ): Promise<Answer>;
  /** `POST /internal/v1/publish` with the test service token unless `token` is given (even undefined). */
  publish(
    body: unknown,
    options?: { token?: string | undefined; headers?: Record<string, string> },
  ): Promise<Answer>;
  /** Creates a collection as the superuser and returns its JSON; fails the test on error. */
  collection(definition: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** The service token test apps accept on the internal publish API. */
export const TEST_SERVICE_TOKEN = "test-service-token-of-at-least-32-characters";

/** Options every test app is built with. */
export const TEST_APP_OPTIONS: RecordsAppOptions = {
  jwt: { secret: "test-secret-of-at-least-thirty-two-characters", ttlSeconds: 3600 },
  bodyLimit: 64 * 1024,
  authRateLimit: 1_000,
  passwordMinLength: 10,
  loginFailuresPerAccount: 1_000,
  trustProxy: false,
  logLevel: "silent",
  serviceTokens: [TEST_SERVICE_TOKEN],
};

/**
 * Registers hooks that give each test a records app on an empty, migrated database of `backend`
 * (one database per file, emptied before each test). Call the returned function inside a test.
 */
export function useRecordsHarness(
  backend: TestBackend,
  options: Partial<RecordsAppOptions> = {},
): () => RecordsHarness {
  let db: TestDatabase;
  let app: FastifyInstance;
  let passwordHash: string;
  let harness: RecordsHarness;
  const appOptions = { ...TEST_APP_OPTIONS, ...options };

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    app = await buildApp(appOptions, { db });
    passwordHash = await hashPassword(TEST_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });
  beforeEach(async () => {
    await db.reset();
    harness = await recordsHarness(app, db, appOptions, passwordHash);
  });
  return () => harness;
}

/**
 * The shortcuts of {@link RecordsHarness} over an app and its database, with a fresh superuser;
 * for tests that manage the app's lifetime themselves. `passwordHash` is the hash of
 * {@link TEST_PASSWORD} (hashing once per file keeps tests fast).
 */
export async function recordsHarness(
  app: FastifyInstance,
  db: Database,
  appOptions: RecordsAppOptions,
  passwordHash: string,
): Promise<RecordsHarness> {
  const service = createTokenService(appOptions.jwt, db.prisma);
  const user: RecordsHarness["user"] = async ({ email, role } = {}) => {
    const row = await db.prisma.user.create({
      data: {
        id: newId(),
        email: email ?? `${newId(8)}@example.com`,
        passwordHash,
        tokenKey: newTokenKey(),
        role: role ?? "user",
      },
    });
    return { token: await service.issue(row), user: toAuthUser(row) };
  };
  const call: RecordsHarness["call"] = async (method, url, { token, body, headers } = {}) => {
    const response = await app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body === undefined ? {} : { payload: body as InjectOptions["payload"] }),
    });
    const text = response.body;
    return {
      status: response.statusCode,
      body: text ? JSON.parse(text) : undefined,
      headers: response.headers,
    };
  };
  const superuser = await user({ role: "superuser" });
  return {
    app,
    db,
    tokens: service,
    superuser,
    user,
    call,
    publish: (body, options = {}) =>
      call("POST", "/internal/v1/publish", {
        token: "token" in options ? options.token : TEST_SERVICE_TOKEN,
        body,
        ...(options.headers && { headers: options.headers }),
      }),
    async collection(definition) {
      const answer = await call("POST", "/api/collections", {
        token: superuser.token,
        body: definition,
      });
      if (answer.status !== 201)
        throw new Error(`collection not created: ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
  };
}

/** The hash of {@link TEST_PASSWORD}, computed once per test process (scrypt is slow on purpose). */
export const testPasswordHash: () => Promise<string> = (() => {
  let hash: Promise<string> | undefined;
  return () => {
    hash ??= hashPassword(TEST_PASSWORD);
    return hash;
  };
})();
