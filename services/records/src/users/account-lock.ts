import type { Prisma, User } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";

/** The field of a change that would take an enabled superuser away (`id`: deleting the account). */
export type SuperuserRemoval = "role" | "disabled" | "id";

const LOCK_ACCOUNT = "SELECT id FROM users WHERE id = $1 FOR UPDATE";

// The account and every enabled superuser, in id order. Removals running at once take their locks
// in the same order, so they queue instead of deadlocking; the one that waited reads each row
// again as the other committed it (READ COMMITTED), so a superuser the other just demoted,
// disabled or deleted is no longer among the rows it counts.
const LOCK_WITH_SUPERUSERS = `SELECT id FROM users
WHERE id = $1 OR (role = 'superuser' AND NOT disabled)
ORDER BY id FOR UPDATE`;

/** The `NOT_FOUND` of an account that is not stored. */
export function noSuchUser(): TidingsError {
  return new TidingsError("NOT_FOUND", "There is no such user.");
}

// The refusal of a change after which no enabled superuser would remain.
function lastSuperuser(field: SuperuserRemoval): TidingsError {
  const message = "no other enabled superuser would remain";
  return new TidingsError(
    "CONFLICT",
    "This is the last enabled superuser; make another account a superuser first.",
    { [field]: { code: "last_superuser", message } },
  );
}

/**
 * Locks the account in `tx` until it commits and returns it as stored now (`NOT_FOUND` if there is
 * none). With `removal`, also locks every enabled superuser and refuses (`CONFLICT`) to take the
 * last one away: checking first and writing later would let two superusers demote, disable or
 * delete each other at once and leave none.
 */
export async function lockAccount(
  tx: Prisma.TransactionClient,
  id: string,
  removal: SuperuserRemoval | undefined,
): Promise<User> {
  const locked = await tx.$queryRawUnsafe<{ id: string }[]>(
    removal ? LOCK_WITH_SUPERUSERS : LOCK_ACCOUNT,
    id,
  );
  const user = await tx.user.findUnique({ where: { id } });
  if (!user) throw noSuchUser();
  // Every locked row but the account's own is an enabled superuser.
  const othersRemain = locked.some((row) => row.id !== id);
  if (removal && user.role === "superuser" && !user.disabled && !othersRemain)
    throw lastSuperuser(removal);
  return user;
}
