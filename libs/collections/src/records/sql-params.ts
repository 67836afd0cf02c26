/** Collects bound parameters while a statement is built; values never enter the SQL text. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Binds a value and returns its placeholder. */
  add = (value: unknown): string => {
    this.values.push(value);
    return `$${this.values.length}`;
  };
}
