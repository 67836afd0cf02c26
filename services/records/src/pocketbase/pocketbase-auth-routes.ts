import { type TokenService, toAuthUser } from "@tidings/auth";
import { userRecord } from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { parseInput } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { LoginPolicy } from "../auth/login-policy.ts";
import { logIn } from "../auth/users.ts";

/** PocketBase's auth collections, as Tidings maps them: every account, or superusers only. */
const AUTH_COLLECTIONS = new Set(["users", "_superusers"]);

const passwordBody = z.object({
  identity: z.string().min(1).max(254),
  password: z.string().min(1).max(256),
  // Tidings accounts are identified by email only.
  identityField: z.literal("email").optional(),
});

const failed = () => new TidingsError("INVALID_CREDENTIALS", "Failed to authenticate.");

/**
 * `POST /api/collections/{users,_superusers}/auth-with-password` `{identity, password}`: what the
 * `pocketbase` SDK's `authWithPassword` calls. Answers `{token, record}` with the user as an auth
 * record of that collection; bad credentials (or a non-superuser on `_superusers`) are 400
 * "Failed to authenticate.", as in PocketBase. Shares `/api/auth/login`'s limits: one budget per
 * client address and one per account.
 */
export function registerPocketBaseAuthRoutes(
  app: FastifyInstance,
  deps: { prisma: PrismaClient; tokens: TokenService; login: LoginPolicy },
): void {
  app.post<{ Params: { collection: string } }>(
    "/api/collections/:collection/auth-with-password",
    async (request) => {
      const name = request.params.collection;
      if (!AUTH_COLLECTIONS.has(name))
        throw new TidingsError("NOT_FOUND", `"${name}" is not an auth collection.`);
      const body = parseInput(passwordBody, request.body);
      const user = await logIn(
        deps.prisma,
        deps.login,
        request.ip,
        body.identity,
        body.password,
      ).catch((error: unknown) => {
        throw error instanceof TidingsError && error.code === "INVALID_CREDENTIALS"
          ? failed()
          : error;
      });
      if (name === "_superusers" && user.role !== "superuser") throw failed();
      const record = userRecord(toAuthUser(user), true);
      return {
        token: await deps.tokens.issue(user),
        record: { ...record, collectionId: name, collectionName: name },
      };
    },
  );
}
