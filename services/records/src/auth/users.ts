import { randomBytes } from "node:crypto";
import { isUniqueViolation, newId, type PrismaClient, type User } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import type { LoginPolicy } from "./login-policy.ts";
import { hashPassword, NO_PASSWORD, verifyAgainstDecoy, verifyPassword } from "./password.ts";

/** A new random token key; replacing a user's key revokes every token issued before. */
export function newTokenKey(): string {
  return randomBytes(24).toString("base64url");
}

/** Emails are compared without case: one account per mailbox. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What a new account is made of; only the email is required. */
export interface NewAccount {
  email: string;
  /** Without one the account cannot sign in with a password (see NO_PASSWORD). */
  password?: string | undefined;
  name?: string | undefined;
  role?: "user" | "superuser" | undefined;
  verified?: boolean | undefined;
  disabled?: boolean | undefined;
}

/** The `CONFLICT` of an email that another account has. */
export function emailTaken(): TidingsError {
  return new TidingsError("CONFLICT", "The email is already registered.", {
    email: { code: "not_unique", message: "the email is taken" },
  });
}

/** Creates an account; an email already in use is `CONFLICT`. */
export async function registerUser(prisma: PrismaClient, input: NewAccount): Promise<User> {
  const email = normaliseEmail(input.email);
  try {
    return await prisma.user.create({
      data: {
        id: newId(),
        email,
        name: input.name ?? "",
        role: input.role ?? "user",
        verified: input.verified ?? false,
        disabled: input.disabled ?? false,
        passwordHash:
          input.password === undefined ? NO_PASSWORD : await hashPassword(input.password),
        tokenKey: newTokenKey(),
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
}

/**
 * Checks credentials; any mismatch is the same `INVALID_CREDENTIALS`, in the same time. A
 * disabled account is `ACCOUNT_DISABLED`, said only to whoever gave its right password, so the
 * answer tells nothing about an account to anyone else.
 */
export async function authenticate(
  prisma: PrismaClient,
  email: string,
  password: string,
): Promise<User> {
  const user = await prisma.user.findUnique({ where: { email: normaliseEmail(email) } });
  const ok = user
    ? await verifyPassword(password, user.passwordHash)
    : await verifyAgainstDecoy(password);
  if (!user || !ok) throw new TidingsError("INVALID_CREDENTIALS");
  if (user.disabled) throw accountDisabled();
  return user;
}

/** The refusal of anything that would sign a disabled account in. */
export function accountDisabled(): TidingsError {
  return new TidingsError(
    "ACCOUNT_DISABLED",
    "This account is disabled; a superuser can enable it again.",
  );
}

/**
 * Rotates the token key: every token issued to the user so far stops working. The caller then
 * announces it (`tokens.userChanged(id)`), which is what closes the user's live connections.
 */
export async function revokeTokens(prisma: PrismaClient, userId: string): Promise<User> {
  return prisma.user.update({ where: { id: userId }, data: { tokenKey: newTokenKey() } });
}

/**
 * Makes sure the configured superuser exists with the configured password, as an enabled
 * superuser (created, or updated and its old tokens revoked when the password changed). Restarting
 * with the configuration thus restores an operator's way in, whatever another superuser did to the
 * account. Returns what it did, and to whom.
 */
export async function upsertSuperuser(
  prisma: PrismaClient,
  email: string,
  password: string,
): Promise<{ outcome: "created" | "updated" | "unchanged"; userId: string }> {
  const existing = await prisma.user.findUnique({ where: { email: normaliseEmail(email) } });
  if (!existing) {
    const created = await registerUser(prisma, { email, password, role: "superuser" });
    return { outcome: "created", userId: created.id };
  }
  const samePassword = await verifyPassword(password, existing.passwordHash);
  if (samePassword && existing.role === "superuser" && !existing.disabled)
    return { outcome: "unchanged", userId: existing.id };
  await prisma.user.update({
    where: { id: existing.id },
    data: {
      role: "superuser",
      disabled: false,
      ...(samePassword
        ? {}
        : { passwordHash: await hashPassword(password), tokenKey: newTokenKey() }),
    },
  });
  return { outcome: "updated", userId: existing.id };
}

/**
 * {@link authenticate} behind the login policy: the address's attempts and the account's failures
 * are counted, and either over its limit is RATE_LIMITED before the password is looked at.
 */
export async function logIn(
  prisma: PrismaClient,
  policy: LoginPolicy,
  address: string,
  email: string,
  password: string,
): Promise<User> {
  const account = normaliseEmail(email);
  policy.addresses.check(address);
  policy.accounts.check(account);
  policy.addresses.count(address);
  try {
    const user = await authenticate(prisma, email, password);
    policy.accounts.forget(account);
    return user;
  } catch (error) {
    if (error instanceof TidingsError && error.code === "INVALID_CREDENTIALS")
      policy.accounts.count(account);
    throw error;
  }
}
