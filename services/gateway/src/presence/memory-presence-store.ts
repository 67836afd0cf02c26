import type { MemberKey, PresenceMember, PresenceStore, SweptMember } from "./presence-store.ts";

interface Held {
  member: PresenceMember;
  expiresAt: number;
}

/** Presence of a single node, in memory; behaves as the Redis store does. */
export class MemoryPresenceStore implements PresenceStore {
  readonly #rooms = new Map<string, Map<string, Held>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async join(room: string, member: PresenceMember, ttlMs: number): Promise<PresenceMember[]> {
    let members = this.#rooms.get(room);
    if (!members) {
      members = new Map();
      this.#rooms.set(room, members);
    }
    members.set(member.id, { member, expiresAt: this.#now() + ttlMs });
    return this.members(room);
  }

  async leave(room: string, id: string): Promise<PresenceMember | undefined> {
    const members = this.#rooms.get(room);
    const held = members?.get(id);
    if (!members || !held) return undefined;
    this.#remove(room, members, id);
    return held.member;
  }

  async members(room: string): Promise<PresenceMember[]> {
    const now = this.#now();
    return [...(this.#rooms.get(room)?.values() ?? [])]
      .filter((held) => held.expiresAt > now)
      .map((held) => held.member);
  }

  async refresh(keys: readonly MemberKey[], ttlMs: number): Promise<MemberKey[]> {
    const expiresAt = this.#now() + ttlMs;
    const missing: MemberKey[] = [];
    for (const key of keys) {
      const held = this.#rooms.get(key.room)?.get(key.id);
      if (held) held.expiresAt = expiresAt;
      else missing.push(key);
    }
    return missing;
  }

  async sweep(limit: number): Promise<SweptMember[]> {
    const now = this.#now();
    const swept: SweptMember[] = [];
    for (const [room, members] of this.#rooms) {
      for (const [id, held] of members) {
        if (swept.length >= limit) return swept;
        if (held.expiresAt > now) continue;
        this.#remove(room, members, id);
        swept.push({ room, member: held.member });
      }
    }
    return swept;
  }

  #remove(room: string, members: Map<string, Held>, id: string): void {
    members.delete(id);
    if (members.size === 0) this.#rooms.delete(room);
  }
}
