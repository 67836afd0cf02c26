import type { AuthUser } from "@tidings/auth";
import { isUniqueViolation, Prisma, type PrismaClient, type User } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { hashPassword } from "../auth/password.ts";
import { emailTaken, newTokenKey, normaliseEmail } from "../auth/users.ts";

/** What a superuser may change about an account; absent fields stay as they are. */
export interface UserChange {
  email?: string | undefined;
  name?: string | undefined;
  password?: string | undefined;
  role?: "user" | "superuser" | undefined;
  verified?: boolean | undefined;
  disabled?: boolean | undefined;
}

function notFound(): TidingsError {
  return new TidingsError("NOT_FOUND", "There is no such user.");
}

const isMissingRow = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025";

/** The stored user, or `NOT_FOUND`. */
export async function storedUser(prisma: PrismaClient, id: string): Promise<User> {
  const user = await prisma.user.findUnique({ where: { id } });
  if (!user) throw notFound();
  return user;
}

/**
 * Whether the change must revoke the account's tokens: a new password or disabling (as
 * `/api/auth/revoke` does), and a superuser losing the role, whose live connections were planned
 * with a superuser's rights and must sign in again to lose them.
 */
export function revokesTokens(current: User, change: UserChange): boolean {
  return (
    change.password !== undefined ||
    change.disabled === true ||
    (change.role === "user" && current.role === "superuser")
  );
}

/**
 * Refuses what would let a superuser lock themself out (disabling, demoting or deleting their
 * own account), so that some superuser always remains who can undo a change.
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

/** Applies the change; a taken email is `CONFLICT`, an account gone meanwhile `NOT_FOUND`. */
export async function updateUser(
  prisma: PrismaClient,
  current: User,
  change: UserChange,
): Promise<User> {
  const data: Prisma.UserUpdateInput = {
    ...(change.email !== undefined && { email: normaliseEmail(change.email) }),
    ...(change.name !== undefined && { name: change.name }),
    ...(change.role !== undefined && { role: change.role }),
    ...(change.verified !== undefined && { verified: change.verified }),
    ...(change.disabled !== undefined && { disabled: change.disabled }),
    ...(change.password !== undefined && { passwordHash: await hashPassword(change.password) }),
    ...(revokesTokens(current, change) && { tokenKey: newTokenKey() }),
  };
  try {
    return await prisma.user.update({ where: { id: current.id }, data });
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken();
    if (isMissingRow(error)) throw notFound();
    throw error;
  }
}

/** Rotates the account's token key, as `/api/auth/revoke` does for one's own (`NOT_FOUND` if none). */
export async function revokeUser(prisma: PrismaClient, id: string): Promise<void> {
  const { count } = await prisma.user.updateMany({
    where: { id },
    data: { tokenKey: newTokenKey() },
  });
  if (count === 0) throw notFound();
}

/**
 * Deletes the account. Records whose relation fields hold its id keep the id: expansion leaves a
 * missing user out, rules comparing it with `@request.auth.id` match nobody (ids are random and
 * never reused), and writing the id again is refused as pointing to nothing.
 */
export async function deleteUser(prisma: PrismaClient, id: string): Promise<void> {
  const { count } = await prisma.user.deleteMany({ where: { id } });
  if (count === 0) throw notFound();
}
