/**
 * A token bucket: `capacity` messages, refilled evenly over `windowMs`. Allows short bursts up to
 * the capacity while holding the long-run rate to capacity per window.
 */
export class RateLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  #tokens: number;
  #updated: number;

  constructor(capacity: number, windowMs: number, now = Date.now()) {
    this.#capacity = capacity;
    this.#refillPerMs = capacity / windowMs;
    this.#tokens = capacity;
    this.#updated = now;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now = Date.now()): boolean {
    this.#tokens = Math.min(
      this.#capacity,
      this.#tokens + (now - this.#updated) * this.#refillPerMs,
    );
    this.#updated = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available again. */
  retryAfterMs(): number {
    return Math.max(0, Math.ceil((1 - this.#tokens) / this.#refillPerMs));
  }
}
