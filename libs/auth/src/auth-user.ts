import type { User } from "@tidings/db";

/**
 * A user as clients see it and as rules read it through `@request.auth.<field>`. Never carries
 * the password hash or the token key.
 */
// A type alias, not an interface: rules take it as a plain record of fields.
export type AuthUser = {
  id: string;
  email: string;
  name: string;
  role: "user" | "superuser";
  verified: boolean;
  /** A disabled account cannot sign in; its tokens never verify, so a request's auth is never one. */
  disabled: boolean;
  created: string;
  updated: string;
};

/** The public view of a stored user (the secrets, if read, are left behind). */
export function toAuthUser(user: Omit<User, "passwordHash" | "tokenKey">): AuthUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    verified: user.verified,
    disabled: user.disabled,
    created: user.created.toISOString(),
    updated: user.updated.toISOString(),
  };
}

/** True for a superuser: rules do not apply to them. */
export function isSuperuser(auth: AuthUser | null): boolean {
  return auth?.role === "superuser";
}
