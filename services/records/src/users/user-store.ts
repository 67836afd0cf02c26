import type { AuthUser } from "@tidings/auth";
import { isUniqueViolation, type Prisma, type PrismaClient, type User } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { hashPassword } from "../auth/password.ts";
import { emailTaken, newTokenKey, normaliseEmail } from "../auth/users.ts";
import { lockAccount, noSuchUser, type SuperuserRemoval } from "./account-lock.ts";

/** What a superuser may change about an account; absent fields stay as they are. */
export interface UserChange {
  email?: string | undefined;
  name?: string | undefined;
  password?: string | undefined;
  role?: "user" | "superuser" | undefined;
  verified?: boolean | undefined;
  disabled?: boolean | undefined;
}

/** The stored user, or `NOT_FOUND`. */
export async function storedUser(prisma: PrismaClient, id: string): Promise<User> {
  const user = await prisma.user.findUnique({ where: { id } });
  if (!user) throw noSuchUser();
  return user;
}

/**
 * Whether the change rotates the account's token key, which signs the user out everywhere. A new
 * password or disabling, as `/api/auth/revoke`. A new email, `verified` or role, because rules
 * read them (`@request.auth.*`) and a live subscription is judged with the user as they were when
 * its socket signed in: closing those connections makes them sign in again and be judged by the
 * new values (PocketBase rotates on a new email too). `before` is the row as locked for the change
 * (account-lock.ts), so a concurrent promotion cannot make a demotion look like no change.
 */
function rotatesTokenKey(before: User, change: UserChange): boolean {
  return (
    change.password !== undefined ||
    change.disabled === true ||
    (change.role !== undefined && change.role !== before.role) ||
    (change.email !== undefined && normaliseEmail(change.email) !== before.email) ||
    (change.verified !== undefined && change.verified !== before.verified)
  );
}

// The field of the change that could leave no enabled superuser, if any.
function superuserRemoval(change: UserChange): SuperuserRemoval | undefined {
  if (change.disabled === true) return "disabled";
  if (change.role === "user") return "role";
  return undefined;
}

/**
 * Refuses a superuser disabling, demoting or deleting their own account: they could not undo it
 * themself. That some enabled superuser always remains is checked apart, under lock (see
 * account-lock.ts), since two superusers can still act on each other at once.
 */
export function guardSelf(actor: AuthUser, targetId: string, change: UserChange | "delete"): void {
  if (actor.id !== targetId) return;
  const refuse = (field: string, message: string) => {
    throw new TidingsError("VALIDATION_FAILED", `A superuser cannot ${message}.`, {
      [field]: { code: "own_account", message: `you cannot ${message}` },
    });
  };
  if (change === "delete") refuse("id", "delete their own account");
  else if (change.disabled === true) refuse("disabled", "disable their own account");
  else if (change.role === "user") refuse("role", "take the superuser role from themself");
}

/**
 * Applies the change to the account, locked meanwhile so that what it is compared with (the last
 * superuser, the token key's rotation) is what it is changed from. A taken email is `CONFLICT`,
 * an account gone meanwhile `NOT_FOUND`, taking the last enabled superuser away `CONFLICT`.
 */
export async function updateUser(
  prisma: PrismaClient,
  id: string,
  change: UserChange,
): Promise<User> {
  // Hashed first: the transaction holds its locks only as long as its statements.
  const passwordHash =
    change.password === undefined ? undefined : await hashPassword(change.password);
  try {
    return await prisma.$transaction(async (tx) => {
      const before = await lockAccount(tx, id, superuserRemoval(change));
      const data: Prisma.UserUpdateInput = {
        ...(change.email !== undefined && { email: normaliseEmail(change.email) }),
        ...(change.name !== undefined && { name: change.name }),
        ...(change.role !== undefined && { role: change.role }),
        ...(change.verified !== undefined && { verified: change.verified }),
        ...(change.disabled !== undefined && { disabled: change.disabled }),
        ...(passwordHash !== undefined && { passwordHash }),
        ...(rotatesTokenKey(before, change) && { tokenKey: newTokenKey() }),
      };
      return tx.user.update({ where: { id }, data });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
}

/** Rotates the account's token key, as `/api/auth/revoke` does for one's own (`NOT_FOUND` if none). */
export async function revokeUser(prisma: PrismaClient, id: string): Promise<void> {
  const { count } = await prisma.user.updateMany({
    where: { id },
    data: { tokenKey: newTokenKey() },
  });
  if (count === 0) throw noSuchUser();
}

/**
 * Deletes the account, unless it is the last enabled superuser (`CONFLICT`). Records whose
 * relation fields hold its id keep the id: expansion leaves a missing user out, rules comparing it
 * with `@request.auth.id` match nobody (ids are random and never reused), and writing the id
 * again is refused as pointing to nothing.
 */
export async function deleteUser(prisma: PrismaClient, id: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await lockAccount(tx, id, "id");
    await tx.user.delete({ where: { id } });
  });
}
