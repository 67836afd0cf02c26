import { TidingsError } from "@tidings/protocol";
import { checkInput, type FieldErrors, parseInput } from "@tidings/service";
import { z } from "zod";
import { newPasswordSchema } from "../auth/password-policy.ts";

/** Most accounts one bulk request creates. */
export const MAX_BULK_USERS = 5_000;
/** Longest lifetime of a token a superuser asks for (PocketBase's impersonate `duration`). */
export const MAX_TOKEN_SECONDS = 30 * 24 * 60 * 60;

const email = z.email().max(254);
const name = z.string().max(200);
const role = z.enum(["user", "superuser"]);

/** The account fields a superuser sets, as request bodies give them. */
export function userBodies(passwordMinLength: number) {
  const password = newPasswordSchema(passwordMinLength);
  const create = z.strictObject({
    email,
    password: password.optional(),
    name: name.optional(),
    role: role.optional(),
    verified: z.boolean().optional(),
    disabled: z.boolean().optional(),
  });
  const bulkEntry = z.strictObject({
    email,
    password: password.optional(),
    name: name.optional(),
    role: role.optional(),
    verified: z.boolean().optional(),
  });
  return {
    /** `POST /api/users`. */
    create,
    /** `PATCH /api/users/:id`: any subset. */
    patch: create.partial(),
    /** `POST /api/users/bulk`. */
    bulk: z.strictObject({
      users: z.array(bulkEntry).min(1, "at least one user").max(MAX_BULK_USERS),
      tokens: z.boolean().optional(),
    }),
  };
}

export type UserBodies = ReturnType<typeof userBodies>;
export type CreateUserInput = z.infer<UserBodies["create"]>;
export type PatchUserInput = z.infer<UserBodies["patch"]>;
export type BulkUsersInput = z.infer<UserBodies["bulk"]>;

/**
 * Reads a bulk body. A list longer than the limit is refused before its entries are looked at,
 * so a huge array costs one check rather than a validation of every entry. `tokens: true` with a
 * superuser among the entries is refused naming them: no token is issued for a superuser (see
 * user-tokens.ts).
 */
export function parseBulkBody(bodies: UserBodies, body: unknown): BulkUsersInput {
  const users = (body as { users?: unknown } | null)?.users;
  if (Array.isArray(users) && users.length > MAX_BULK_USERS) {
    parseInput(z.object({ users: z.array(z.unknown()).max(MAX_BULK_USERS) }), body);
  }
  const input = parseInput(bodies.bulk, body);
  if (input.tokens) refuseSuperuserTokens(input.users);
  return input;
}

function refuseSuperuserTokens(users: BulkUsersInput["users"]): void {
  const errors: FieldErrors = {};
  users.forEach((user, index) => {
    if (user.role === "superuser") {
      errors[`users.${index}.role`] = {
        code: "superuser_token",
        message: "no token is issued for a superuser",
      };
    }
  });
  const count = Object.keys(errors).length;
  if (count === 0) return;
  throw new TidingsError(
    "VALIDATION_FAILED",
    `${count} superuser(s) with tokens: true; a superuser signs in with their own password. Nothing was created.`,
    errors,
  );
}

/** `{duration?}` of a token request: seconds, 0 or absent for the configured lifetime. */
export const tokenRequestBody = z.strictObject({
  duration: z
    .number()
    .int("a whole number of seconds")
    .min(0)
    .max(MAX_TOKEN_SECONDS, `at most ${MAX_TOKEN_SECONDS} seconds (30 days)`)
    .optional(),
});

const listQuery = z.object({
  search: z.string().max(200).optional(),
  sort: z.enum(["created", "-created", "email", "-email"]).optional(),
});

/** `GET /api/users`'s `search` and `sort` (paging is read by `parsePage`). */
export function parseUserListQuery(query: unknown): z.infer<typeof listQuery> {
  // Text PostgreSQL cannot compare (U+0000, a lone surrogate) is refused naming the parameter.
  checkInput(query, 2, "VALIDATION_FAILED", "query");
  return parseInput(listQuery, query, "query");
}
