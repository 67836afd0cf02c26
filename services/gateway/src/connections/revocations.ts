import type { TokenService } from "@tidings/auth";
import type { Logger } from "@tidings/service";
import type { Credential } from "./credentials.ts";

interface Watched {
  credential: Credential;
  /** Tells the client, in its protocol, that its sign-in was revoked, and closes the connection. */
  revoke(): void;
}

/** Connections checked together: a reconnection re-checks every signed-in connection of the node. */
const CHECK_BATCH = 500;
/** A credential that could not be checked (the database is down) is checked again this much later. */
const RETRY_MS = 5_000;
/**
 * How long a change is remembered: a connection signing in this soon after its user changed may
 * have been checked against the user as it was, so it is checked again when it is watched.
 */
const RECENT_MS = 30_000;
/** The key under which a reconnection (every user may have changed) is remembered. */
const EVERYONE = "";

/**
 * Makes revocation reach live connections. Every signed-in connection of the node, whatever its
 * transport, is watched under its user; when any replica announces that a user changed (revoked,
 * password changed, deleted), that user's connections here have their credentials checked again,
 * and every one that no longer holds is revoked: told and closed by its transport. After the bus
 * reconnects, when announcements may have been lost, every connection is checked.
 */
export class Revocations {
  readonly #tokens: TokenService;
  readonly #logger: Logger;
  /** user id → connection id → what is watched. */
  readonly #byUser = new Map<string, Map<string, Watched>>();
  /** connection id → the users it is watched under (almost always one). */
  readonly #users = new Map<string, string[]>();
  /** user id (or EVERYONE) → when a change was last heard. */
  readonly #recent = new Map<string, number>();
  readonly #retries = new Set<NodeJS.Timeout>();
  #stop: (() => void) | undefined;

  constructor(tokens: TokenService, logger: Logger) {
    this.#tokens = tokens;
    this.#logger = logger;
  }

  start(): void {
    this.#stop ??= this.#tokens.onUserChanged((userId) => this.#changed(userId));
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
    for (const timer of this.#retries) clearTimeout(timer);
    this.#retries.clear();
  }

  /**
   * Watches connection `id`'s credential for `userId` until {@link unwatch}; a new credential for
   * the same user (a renewed token) replaces the old one.
   */
  watch(id: string, userId: string, credential: Credential, revoke: () => void): void {
    let connections = this.#byUser.get(userId);
    if (!connections) {
      connections = new Map();
      this.#byUser.set(userId, connections);
    }
    const watched = { credential, revoke };
    connections.set(id, watched);
    const users = this.#users.get(id);
    if (!users) this.#users.set(id, [userId]);
    else if (!users.includes(userId)) users.push(userId);
    if (this.#changedLately(userId)) void this.#check(userId, id, watched);
  }

  /** Stops watching the connection (it closed). */
  unwatch(id: string): void {
    for (const userId of this.#users.get(id) ?? []) {
      const connections = this.#byUser.get(userId);
      connections?.delete(id);
      if (connections?.size === 0) this.#byUser.delete(userId);
    }
    this.#users.delete(id);
  }

  #changedLately(userId: string): boolean {
    const since = Date.now() - RECENT_MS;
    return (this.#recent.get(userId) ?? 0) > since || (this.#recent.get(EVERYONE) ?? 0) > since;
  }

  #changed(userId: string | undefined): void {
    const now = Date.now();
    for (const [key, at] of this.#recent) if (at <= now - RECENT_MS) this.#recent.delete(key);
    this.#recent.set(userId ?? EVERYONE, now);
    const users = userId === undefined ? [...this.#byUser.keys()] : [userId];
    const targets = users.flatMap((user) =>
      [...(this.#byUser.get(user) ?? [])].map(([id, watched]) => ({ user, id, watched })),
    );
    void this.#checkAll(targets);
  }

  async #checkAll(targets: { user: string; id: string; watched: Watched }[]): Promise<void> {
    for (let start = 0; start < targets.length; start += CHECK_BATCH) {
      await Promise.all(
        targets
          .slice(start, start + CHECK_BATCH)
          .map(({ user, id, watched }) => this.#check(user, id, watched)),
      );
    }
  }

  async #check(userId: string, id: string, watched: Watched): Promise<void> {
    let holds: boolean;
    try {
      holds = await watched.credential();
    } catch (error) {
      this.#logger.warn({ err: error, userId }, "realtime: could not check a credential; retrying");
      if (!this.#stop) return;
      const timer = setTimeout(() => {
        this.#retries.delete(timer);
        if (this.#byUser.get(userId)?.get(id) === watched) void this.#check(userId, id, watched);
      }, RETRY_MS).unref();
      this.#retries.add(timer);
      return;
    }
    // Closed, or renewed with another token, while it was being checked.
    if (holds || this.#byUser.get(userId)?.get(id) !== watched) return;
    this.unwatch(id);
    this.#logger.info({ connectionId: id, userId }, "realtime: sign-in revoked; connection closed");
    try {
      watched.revoke();
    } catch (error) {
      this.#logger.error(
        { err: error, connectionId: id },
        "realtime: could not close a revoked connection",
      );
    }
  }
}
