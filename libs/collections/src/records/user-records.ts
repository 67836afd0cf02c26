import type { AuthUser } from "@tidings/auth";
import type { RecordJson } from "../record-shape.ts";

/** The collection that relation fields name to point at accounts. */
export const USERS_COLLECTION = "users";

/**
 * A user as a record of the `users` collection (what relations to `users` expand to, and what
 * PocketBase clients get as their auth record): `{id, collectionId, collectionName, name,
 * verified, created, updated}`, plus `email` only when `withEmail` (the user themself or a
 * superuser). The role is never shown.
 */
export function userRecord(user: AuthUser, withEmail: boolean): RecordJson {
  return {
    id: user.id,
    collectionId: USERS_COLLECTION,
    collectionName: USERS_COLLECTION,
    created: user.created,
    updated: user.updated,
    ...(withEmail ? { email: user.email } : {}),
    name: user.name,
    verified: user.verified,
  };
}
