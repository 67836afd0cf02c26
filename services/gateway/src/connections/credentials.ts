import type { TokenService } from "@tidings/auth";
import { TidingsError } from "@tidings/protocol";

/**
 * Whether a connection's sign-in still holds: false once its token is revoked (revoke, a password
 * change) or its user is gone. Throws when that cannot be told now (the database is down).
 */
export type Credential = () => Promise<boolean>;

/**
 * The credential of a connection that signed in with `token`: it holds while the token verifies
 * for the same user.
 */
export function tokenCredential(tokens: TokenService, token: string, userId: string): Credential {
  return async () => {
    try {
      return (await tokens.verify(token)).user.id === userId;
    } catch (error) {
      if (error instanceof TidingsError && error.code === "UNAUTHORIZED") return false;
      throw error;
    }
  };
}
