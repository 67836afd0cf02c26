import type { AuthUser, TokenService } from "@tidings/auth";
import type { User } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { parseInput } from "@tidings/service";
import type { FastifyBaseLogger } from "fastify";
import { accountDisabled } from "../auth/users.ts";
import { tokenRequestBody } from "./user-input.ts";

/** The superuser asking for tokens for other accounts, and the request's logger that notes them. */
export interface TokenIssuer {
  superuser: AuthUser;
  log: FastifyBaseLogger;
}

// Nothing lists the tokens issued, so the log is where an operator finds who handed out which.
// Never the token itself: the log would become a way in.
function logIssued(issuer: TokenIssuer, userId: string, durationSeconds: number): void {
  issuer.log.info(
    { issuerId: issuer.superuser.id, userId, durationSeconds },
    "a superuser issued a token for a user",
  );
}

/**
 * A token for `user` on a superuser's request (PocketBase's impersonate): it acts as the user,
 * under the user's rules, for `duration` seconds from the body (0 or none: the configured token
 * lifetime). It cannot be refreshed into a longer one, and revoking or disabling the user ends it
 * like any of their tokens. A disabled account gets none (`ACCOUNT_DISABLED`): it would not verify.
 * A superuser gets none either (`FORBIDDEN`): such a token would keep superuser rights after its
 * issuer was demoted, disabled or deleted, where nothing shows it.
 */
export async function impersonationToken(
  tokens: TokenService,
  issuer: TokenIssuer,
  user: User,
  body: unknown,
): Promise<string> {
  const { duration } = parseInput(tokenRequestBody, body ?? {});
  if (user.disabled) throw accountDisabled();
  if (user.role === "superuser") {
    throw new TidingsError(
      "FORBIDDEN",
      "No token is issued for a superuser: a superuser signs in with their own password.",
    );
  }
  const ttlSeconds = duration || tokens.ttlSeconds;
  const token = await tokens.issue(user, { fixedLifetime: true, ttlSeconds });
  logIssued(issuer, user.id, ttlSeconds);
  return token;
}

/**
 * A token of the configured lifetime for each of the new accounts, in their order: what bulk
 * creation's `tokens: true` answers. The body was refused before if any account is a superuser.
 */
export async function bulkTokens(
  tokens: TokenService,
  issuer: TokenIssuer,
  users: User[],
): Promise<string[]> {
  const issued = await Promise.all(users.map((user) => tokens.issue(user)));
  // One line for the batch (up to 5,000 accounts): the accounts are the ones it created.
  issuer.log.info(
    { issuerId: issuer.superuser.id, count: users.length, durationSeconds: tokens.ttlSeconds },
    "a superuser issued tokens for new users",
  );
  return issued;
}
