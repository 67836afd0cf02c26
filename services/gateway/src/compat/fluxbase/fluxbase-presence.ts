import type { PresenceDiff } from "../../presence/presence-service.ts";
import type { PresenceMember, PresenceMeta } from "../../presence/presence-store.ts";

/**
 * Where a Fluxbase client's presence key is kept in its member's meta, next to its state, so that
 * members on other nodes and protocols carry it. Members of other protocols have none: their key is
 * their connection id.
 */
export const PRESENCE_KEY_FIELD = "presence_key";

/** A Fluxbase presence state: any JSON object. */
export type PresenceState = Record<string, unknown>;

/** The `payload.presence` of a Fluxbase presence message. */
export interface PresenceEvent {
  event: "join" | "leave" | "sync";
  key?: string;
  newPresences?: PresenceState[];
  leftPresences?: PresenceState[];
  /** Every key present, with the states tracked under it (one per connection). */
  currentPresences: Record<string, PresenceState[]>;
}

/** The meta a Fluxbase client's `track` publishes. */
export function trackedMeta(key: string, state: PresenceState): PresenceMeta {
  return { ...state, [PRESENCE_KEY_FIELD]: key } as PresenceMeta;
}

/** A member's Fluxbase key. */
export function keyOf(member: PresenceMember): string {
  const key = member.meta[PRESENCE_KEY_FIELD];
  return typeof key === "string" ? key : member.id;
}

/** A member's Fluxbase state: its meta without the key. */
export function stateOf(member: PresenceMember): PresenceState {
  const { [PRESENCE_KEY_FIELD]: _key, ...state } = member.meta;
  return state;
}

/**
 * One connection's view of a presence room, kept from the member list and the diffs that follow,
 * and told as Fluxbase presence events. Diffs that arrive while the member list is being read are
 * held and applied after it (they are idempotent: a join sets a member, a leave removes it).
 */
export class PresenceRoomView {
  readonly #members = new Map<string, PresenceMember>();
  #held: PresenceDiff[] | undefined = [];

  /** Every key present, with its states. */
  current(): Record<string, PresenceState[]> {
    const current: Record<string, PresenceState[]> = {};
    for (const member of this.#members.values()) {
      const key = keyOf(member);
      if (!Object.hasOwn(current, key)) current[key] = [];
      current[key]?.push(stateOf(member));
    }
    return current;
  }

  /** Replaces the members by the room's member list, then applies the diffs held meanwhile. */
  reset(members: readonly PresenceMember[]): void {
    this.#members.clear();
    for (const member of members) this.#members.set(member.id, member);
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const diff of held) this.apply(diff);
  }

  /**
   * Applies a diff and returns what it means for a Fluxbase client: a `join` for a new member, a
   * `sync` for a member that tracked again with the same key (a new key is a leave and a join),
   * and a `leave` for one that went.
   */
  apply(diff: Pick<PresenceDiff, "joins" | "leaves">): PresenceEvent[] {
    if (this.#held) {
      this.#held.push(diff as PresenceDiff);
      return [];
    }
    const events: PresenceEvent[] = [];
    for (const member of diff.joins) {
      const previous = this.#members.get(member.id);
      if (previous && keyOf(previous) !== keyOf(member)) {
        this.#members.delete(member.id);
        events.push(this.#leave(previous));
      }
      this.#members.set(member.id, member);
      events.push(
        previous && keyOf(previous) === keyOf(member)
          ? { event: "sync", currentPresences: this.current() }
          : {
              event: "join",
              key: keyOf(member),
              newPresences: [stateOf(member)],
              currentPresences: this.current(),
            },
      );
    }
    for (const member of diff.leaves) {
      const previous = this.#members.get(member.id);
      this.#members.delete(member.id);
      events.push(this.#leave(previous ?? member));
    }
    return events;
  }

  #leave(member: PresenceMember): PresenceEvent {
    return {
      event: "leave",
      key: keyOf(member),
      leftPresences: [stateOf(member)],
      currentPresences: this.current(),
    };
  }
}
