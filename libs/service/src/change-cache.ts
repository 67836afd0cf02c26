/** The part of the bus a cache follows: fire-and-forget notices, and reconnections. */
export interface ChangeNotices {
  notify(topic: string, data: Uint8Array): void;
  onNotice(topic: string, handler: (data: Uint8Array) => void): () => void;
  onReconnect(listener: () => void): () => void;
}

/** How a {@link ChangeCache} loads and names its values. */
export interface ChangeCacheOptions<V> {
  /** The bus topic on which the replicas announce changed keys (a token: letters, digits, `_`, `-`). */
  topic: string;
  /** Loads a value by any of its keys; undefined when there is none (never cached). */
  load(key: string): Promise<V | undefined>;
  /** Every key the value answers to (an id, a name): a change to any of them forgets all. */
  keysOf(value: V): string[];
  /**
   * Longest time a value is used without reloading. Changes arrive as notices within
   * milliseconds; this only bounds a change that bypassed the services or a lost notice.
   * @default 60000
   */
  ttlMs?: number;
  /** Most keys held (a value held under a name and an id counts twice); the oldest go first. @default 20000 */
  maxEntries?: number;
}

interface Entry<V> {
  value: V;
  keys: string[];
  loadedAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Values read on every request (collection definitions, token users), held in the process and
 * forgotten when any replica announces a change on the bus. Until {@link ChangeCache.follow} is
 * called, nothing is kept: a process that cannot hear about changes must not hold stale values.
 */
export class ChangeCache<V> {
  readonly #options: ChangeCacheOptions<V>;
  readonly #entries = new Map<string, Entry<V>>();
  readonly #loading = new Map<string, Promise<V | undefined>>();
  readonly #listeners = new Set<(key: string | undefined) => void>();
  #generation = 0;
  #notices: ChangeNotices | undefined;

  constructor(options: ChangeCacheOptions<V>) {
    this.#options = options;
  }

  /** The value for `key`: held, or loaded once however many callers ask at the same time. */
  async get(key: string): Promise<V | undefined> {
    const entry = this.#entries.get(key);
    if (entry && Date.now() - entry.loadedAt < (this.#options.ttlMs ?? 60_000)) return entry.value;
    if (!this.#notices) return this.#options.load(key);
    const pending = this.#loading.get(key);
    if (pending) return pending;
    const generation = this.#generation;
    const loading = this.#options.load(key).then((value) => {
      // A change announced while loading may not be in what was read: keep it out of the cache.
      if (value !== undefined && generation === this.#generation) this.#keep(value);
      return value;
    });
    this.#loading.set(key, loading);
    try {
      return await loading;
    } finally {
      if (this.#loading.get(key) === loading) this.#loading.delete(key);
    }
  }

  /** Forgets the value behind `key` (all of its keys), or everything when no key is given. */
  forget(key?: string): void {
    this.#generation++;
    // A load under way may have read the old value: whoever asks from now on loads again.
    this.#loading.clear();
    if (key === undefined) {
      this.#entries.clear();
      return;
    }
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    for (const other of entry?.keys ?? []) this.#entries.delete(other);
  }

  /**
   * The value behind `key` changed: this process forgets it at once, and every replica following
   * the same topic as soon as the notice reaches it.
   */
  changed(key: string): void {
    this.forget(key);
    this.#notices?.notify(this.#options.topic, encoder.encode(key));
  }

  /**
   * Starts caching, forgetting a key whenever a replica announces it changed, and everything
   * after a reconnection, when notices may have been missed. Returns the function that stops
   * following (and caching).
   */
  follow(notices: ChangeNotices): () => void {
    const stopNotices = notices.onNotice(this.#options.topic, (data) =>
      this.#heard(decoder.decode(data)),
    );
    const stopReconnects = notices.onReconnect(() => this.#heard(undefined));
    this.#notices = notices;
    return () => {
      this.#notices = undefined;
      stopNotices();
      stopReconnects();
      this.forget();
    };
  }

  /**
   * Calls `listener` with each key a replica announced as changed (this one's own announcements
   * come back through the bus too), and with undefined after a reconnection, when announcements
   * may have been missed; always after the cache forgot it, so that a `get` in the listener loads
   * the value as it is now. Only while following. Returns the function that stops it.
   */
  onChanged(listener: (key: string | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #heard(key: string | undefined): void {
    this.forget(key);
    for (const listener of this.#listeners) listener(key);
  }

  #keep(value: V): void {
    const keys = this.#options.keysOf(value);
    const entry = { value, keys, loadedAt: Date.now() };
    for (const key of keys) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    const max = this.#options.maxEntries ?? 20_000;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= max) break;
      this.#evict(oldest);
    }
  }

  #evict(key: string): void {
    const entry = this.#entries.get(key);
    for (const other of entry?.keys ?? [key]) this.#entries.delete(other);
  }
}
