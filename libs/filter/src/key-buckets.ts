import { canonicalJson, isEmpty } from "./values.ts";

/**
 * Sets of items filed under JSON values by the meaning of `=`: empty values (null, missing, "")
 * share one key, other values match only an equal value of the same type. Strings, numbers and
 * booleans are looked up without building a key.
 */
export class KeyBuckets<T> {
  private readonly strings = new Map<string, Set<T>>();
  private readonly numbers = new Map<number, Set<T>>();
  private readonly booleans: [Set<T>, Set<T>] = [new Set(), new Set()];
  private readonly empty = new Set<T>();
  private readonly json = new Map<string, Set<T>>();
  private count = 0;

  /** Number of items filed (an item filed under two values counts twice). */
  get size(): number {
    return this.count;
  }

  private bucket(value: unknown, create: boolean): Set<T> | undefined {
    if (isEmpty(value)) return this.empty;
    switch (typeof value) {
      case "string":
        return this.slot(this.strings, value, create);
      case "number":
        return this.slot(this.numbers, value, create);
      case "boolean":
        return this.booleans[value ? 1 : 0];
      case "object":
        return this.json.size === 0 && !create
          ? undefined
          : this.slot(this.json, canonicalJson(value), create);
      default:
        return undefined;
    }
  }

  private slot<K>(map: Map<K, Set<T>>, key: K, create: boolean): Set<T> | undefined {
    let set = map.get(key);
    if (set === undefined && create) {
      set = new Set();
      map.set(key, set);
    }
    return set;
  }

  /** Files `item` under `value`. */
  add(value: unknown, item: T): void {
    const set = this.bucket(value, true) as Set<T>;
    if (!set.has(item)) {
      set.add(item);
      this.count++;
    }
  }

  /** Removes `item` from under `value`, dropping buckets that become empty. */
  delete(value: unknown, item: T): void {
    const set = this.bucket(value, false);
    if (set === undefined || !set.delete(item)) return;
    this.count--;
    if (set.size > 0) return;
    if (typeof value === "string" && value !== "") this.strings.delete(value);
    else if (typeof value === "number") this.numbers.delete(value);
    else if (typeof value === "object" && value !== null) this.json.delete(canonicalJson(value));
  }

  /** Items filed under a value equal to `value`. */
  get(value: unknown): ReadonlySet<T> | undefined {
    return this.bucket(value, false);
  }

  /** How many items are filed under `value` (the cost of a lookup that finds it). */
  countAt(value: unknown): number {
    return this.bucket(value, false)?.size ?? 0;
  }
}
