import type { TokenService } from "@tidings/auth";
import type { User } from "@tidings/db";
import { parseInput } from "@tidings/service";
import { accountDisabled } from "../auth/users.ts";
import { tokenRequestBody } from "./user-input.ts";

/**
 * A token for `user` on a superuser's request (PocketBase's impersonate): it acts as the user,
 * under the user's rules, for `duration` seconds from the body (0 or none: the configured token
 * lifetime). It cannot be refreshed into a longer one, and revoking or disabling the user ends it
 * like any of their tokens. A disabled account gets none (`ACCOUNT_DISABLED`): it would not verify.
 */
export async function impersonationToken(
  tokens: TokenService,
  user: User,
  body: unknown,
): Promise<string> {
  const { duration } = parseInput(tokenRequestBody, body ?? {});
  if (user.disabled) throw accountDisabled();
  return tokens.issue(user, { fixedLifetime: true, ...(duration ? { ttlSeconds: duration } : {}) });
}
