/** Small JSON a member publishes about itself (a name, a status, a cursor, …). */
export type PresenceMeta = Record<string, unknown>;

/** A connection present in a room, as every member sees it. */
export interface PresenceMember {
  /** The connection id: one member per connection, so a user's tabs are separate members. */
  id: string;
  /** The signed-in user, or null: lets protocols that count users, not tabs (Pusher), do so. */
  userId: string | null;
  meta: PresenceMeta;
  /** When the connection joined, ISO 8601. */
  joinedAt: string;
}

/** One membership: a connection in a room. */
export interface MemberKey {
  room: string;
  id: string;
}

/** A member removed by a sweep, with its room. */
export interface SweptMember {
  room: string;
  member: PresenceMember;
}

/**
 * Where presence lives: in Redis for a cluster, in memory for a single node. Every membership
 * expires `ttlMs` after it was last written unless its node refreshes it, so the members of a node
 * that died vanish; every removal is reported to exactly one caller, so each leave is announced once.
 */
export interface PresenceStore {
  /** Adds or replaces a member; resolves to the room's live members, the new one included. */
  join(room: string, member: PresenceMember, ttlMs: number): Promise<PresenceMember[]>;
  /** Removes a member; resolves to it if this call removed it (not already gone or swept). */
  leave(room: string, id: string): Promise<PresenceMember | undefined>;
  /** The room's live members (expired ones are left out even before a sweep removes them). */
  members(room: string): Promise<PresenceMember[]>;
  /** Extends memberships by `ttlMs`; resolves to those that no longer exist (swept meanwhile). */
  refresh(keys: readonly MemberKey[], ttlMs: number): Promise<MemberKey[]>;
  /** Removes up to `limit` expired members; each is returned by exactly one concurrent sweep. */
  sweep(limit: number): Promise<SweptMember[]>;
}
