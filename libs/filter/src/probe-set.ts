import type { ProbeSpec } from "./index-cover.ts";
import { KeyBuckets } from "./key-buckets.ts";
import type { RecordData } from "./schema.ts";
import { lowerValue, ownValue, readPath, valuesEqual } from "./values.ts";

/** Groups filed by one record value (e.g. `owner`, or each item of `tags`). */
export class ProbeIndex<T> {
  readonly buckets = new KeyBuckets<T>();
  private readonly read: (record: RecordData) => unknown;
  private readonly lower: boolean;
  private readonly any: boolean;

  constructor(readonly spec: ProbeSpec) {
    const { field, path } = spec;
    const top =
      field in Object.prototype
        ? (record: RecordData) => ownValue(record, field)
        : (record: RecordData) => record[field];
    this.read = path.length === 0 ? top : (record) => readPath(top(record), path);
    this.lower = spec.lower;
    this.any = spec.mode === "any";
  }

  /** Calls `visit` for every item filed under the record's value (or under each of its items). */
  probe(record: RecordData, visit: (item: T) => void): void {
    const value = this.read(record);
    if (!this.any) {
      this.visitBucket(value, visit);
    } else if (Array.isArray(value)) {
      for (const item of value) this.visitBucket(item, visit);
    } else if (value !== undefined && value !== null) {
      this.visitBucket(value, visit);
    }
  }

  private visitBucket(value: unknown, visit: (item: T) => void): void {
    // forEach rather than for…of: no iterator object per lookup on the hot path.
    this.buckets.get(this.lower ? lowerValue(value) : value)?.forEach(visit);
  }

  /** Whether the record's value (or one of its items) equals `value`: the entry's meaning. */
  holds(record: RecordData, value: unknown): boolean {
    const current = this.read(record);
    if (!this.any) return this.equal(current, value);
    if (!Array.isArray(current)) {
      return current !== undefined && current !== null && this.equal(current, value);
    }
    for (const item of current) if (this.equal(item, value)) return true;
    return false;
  }

  private equal(item: unknown, value: unknown): boolean {
    return valuesEqual(this.lower ? lowerValue(item) : item, value);
  }
}

/** The probe indexes in use, created on first use and dropped when empty. */
export class ProbeSet<T> {
  private readonly byId = new Map<string, ProbeIndex<T>>();
  private list: ProbeIndex<T>[] = [];

  /** The index for a probe, creating it if needed. */
  get(spec: ProbeSpec): ProbeIndex<T> {
    let index = this.byId.get(spec.id);
    if (index === undefined) {
      index = new ProbeIndex<T>(spec);
      this.byId.set(spec.id, index);
      this.list = [...this.byId.values()];
    }
    return index;
  }

  add(spec: ProbeSpec, value: unknown, item: T): void {
    this.get(spec).buckets.add(value, item);
  }

  delete(spec: ProbeSpec, value: unknown, item: T): void {
    const index = this.byId.get(spec.id);
    if (index === undefined) return;
    index.buckets.delete(value, item);
    if (index.buckets.size === 0) {
      this.byId.delete(spec.id);
      this.list = [...this.byId.values()];
    }
  }

  /** How many items a lookup of `value` would visit. */
  countAt(spec: ProbeSpec, value: unknown): number {
    return this.byId.get(spec.id)?.buckets.countAt(value) ?? 0;
  }

  /** Visits every item filed under any of the record's probed values. */
  probe(record: RecordData, visit: (item: T) => void): void {
    for (const index of this.list) index.probe(record, visit);
  }
}
