/**
 * The token a connection authenticates with, and the application's way to get a fresh one. After a
 * refused or expired token, one refresh is tried per connection: a refresh that yields another
 * refused token does not loop.
 */
export class TokenSource {
  current: string | undefined;
  readonly #refresh: (() => Promise<string>) | undefined;
  #inFlight: Promise<string> | undefined;
  #spent = false;

  constructor(token: string | undefined, refresh: (() => Promise<string>) | undefined) {
    this.current = token;
    this.#refresh = refresh;
  }

  get refreshable(): boolean {
    return this.#refresh !== undefined;
  }

  /** Whether a refused token may still be fixed by a refresh on this connection. */
  get mayRetry(): boolean {
    return this.#refresh !== undefined && !this.#spent;
  }

  /** A connection was accepted: the next refusal may be refreshed again. */
  accepted(): void {
    this.#spent = false;
  }

  /** Asks the application for a fresh token, once at a time. */
  fresh(): Promise<string> {
    const refresh = this.#refresh;
    if (!refresh) return Promise.reject(new Error("no refreshToken option"));
    this.#spent = true;
    this.#inFlight ??= refresh().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }
}
