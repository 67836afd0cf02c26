import { TidingsError } from "@tidings/protocol";
import { countRefusal } from "@tidings/service";

/** Keys tracked at once; the oldest are forgotten first, so memory stays bounded. */
const MAX_TRACKED = 50_000;

/**
 * Counts attempts per key (an account, an address) in a fixed window that starts at the key's
 * first attempt: once `limit` are counted, `check` refuses with RATE_LIMITED until the window has
 * passed. Kept in this process: N records replicas allow N × limit.
 */
export class AttemptWindow {
  readonly #attempts = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** What is counted, for the error message ("failed logins for this account"). */
    private readonly what: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws RATE_LIMITED if `key` has used up its attempts. */
  check(key: string): void {
    const entry = this.#current(key);
    if (!entry || entry.count < this.limit) return;
    const retryAfterSeconds = Math.ceil((entry.since + this.windowMs - this.now()) / 1000);
    countRefusal("login_attempts");
    throw new TidingsError(
      "RATE_LIMITED",
      `Too many ${this.what}; retry in ${retryAfterSeconds} s.`,
      {
        retryAfterSeconds,
      },
    );
  }

  count(key: string): void {
    const entry = this.#current(key);
    if (entry) {
      entry.count += 1;
      return;
    }
    if (this.#attempts.size >= MAX_TRACKED) {
      const oldest = this.#attempts.keys().next().value;
      if (oldest !== undefined) this.#attempts.delete(oldest);
    }
    this.#attempts.set(key, { count: 1, since: this.now() });
  }

  forget(key: string): void {
    this.#attempts.delete(key);
  }

  #current(key: string) {
    const entry = this.#attempts.get(key);
    if (entry && this.now() - entry.since >= this.windowMs) {
      this.#attempts.delete(key);
      return undefined;
    }
    return entry;
  }
}
