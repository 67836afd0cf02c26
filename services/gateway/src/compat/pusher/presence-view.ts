import type { PresenceDiff } from "../../presence/presence-service.ts";
import type { PresenceMember } from "../../presence/presence-store.ts";

/** `pusher_internal:subscription_succeeded` data of a presence channel. */
export interface PresenceSummary {
  presence: { ids: string[]; hash: Record<string, unknown>; count: number };
}

/** What one diff means for a Pusher client, which counts users, not connections. */
export interface PresenceChanges {
  added: { user_id: string; user_info: unknown }[];
  removed: { user_id: string }[];
}

// Pusher members are users; a member of another protocol without a user counts as its own user.
const userOf = (member: PresenceMember) => member.userId ?? member.id;

/**
 * One connection's view of a presence room, by connection: a user's first connection to arrive is
 * their `member_added`, their last to leave is their `member_removed`, tabs in between change
 * nothing. Diffs that arrive before the join's member list are kept aside and merged into it.
 */
export class PresenceView {
  readonly #members = new Map<string, PresenceMember>();
  // Connections that left before the member list (which may still hold them) was merged.
  readonly #gone = new Set<string>();
  #live = false;

  #hasUser(user: string): boolean {
    for (const member of this.#members.values()) if (userOf(member) === user) return true;
    return false;
  }

  /** Applies a diff; while the join is pending, nothing is reported. */
  apply(diff: Pick<PresenceDiff, "joins" | "leaves">): PresenceChanges {
    const changes: PresenceChanges = { added: [], removed: [] };
    for (const member of diff.joins) {
      const known = this.#members.has(member.id);
      const present = this.#hasUser(userOf(member));
      this.#members.set(member.id, member);
      this.#gone.delete(member.id);
      if (this.#live && !known && !present)
        changes.added.push({ user_id: userOf(member), user_info: member.meta });
    }
    for (const member of diff.leaves) {
      if (!this.#live) this.#gone.add(member.id);
      if (!this.#members.delete(member.id)) continue;
      if (this.#live && !this.#hasUser(userOf(member)))
        changes.removed.push({ user_id: userOf(member) });
    }
    return changes;
  }

  /** Merges the members the join reported and goes live. */
  start(members: readonly PresenceMember[]): void {
    for (const member of members)
      if (!this.#gone.has(member.id) && !this.#members.has(member.id))
        this.#members.set(member.id, member);
    this.#gone.clear();
    this.#live = true;
  }

  /** The users present, for `subscription_succeeded`. */
  summary(): PresenceSummary {
    // User ids are client-chosen strings to the hash: no prototype for "__proto__" to land on.
    const hash: Record<string, unknown> = Object.create(null);
    for (const member of this.#members.values()) hash[userOf(member)] ??= member.meta;
    const ids = Object.keys(hash);
    return { presence: { ids, hash, count: ids.length } };
  }
}
