/**
 * Items in ascending sequence order, oldest first: appended at the end, removed at the front, found
 * by sequence with a binary search. Every operation costs the same however many items are held,
 * which is what keeps the in-process bus flat as its history grows.
 */
export class SeqQueue<T extends { readonly seq: number }> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Number of items held. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Appends an item; its sequence must be above every held one. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item. */
  first(): T | undefined {
    return this.#items[this.#head];
  }

  /** The newest item. */
  last(): T | undefined {
    return this.size > 0 ? this.#items[this.#items.length - 1] : undefined;
  }

  /** The item at `position` (0 = the oldest). */
  at(position: number): T | undefined {
    return this.#items[this.#head + position];
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.#items[this.#head];
    // Cleared at once so the item can be collected; the array is compacted in bulk below.
    this.#items[this.#head++] = undefined;
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Position of the first item whose sequence is at least `seq`; `size` when there is none. */
  rank(seq: number): number {
    let low = this.#head;
    let high = this.#items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#items[mid] as T).seq < seq) low = mid + 1;
      else high = mid;
    }
    return low - this.#head;
  }

  /** Removes the item with sequence `seq`, wherever it is; false when none has it. */
  remove(seq: number): boolean {
    const index = this.#head + this.rank(seq);
    if (this.#items[index]?.seq !== seq) return false;
    // Linear in the items after it: only an operator's delete removes from the middle.
    this.#items.splice(index, 1);
    return true;
  }

  /** Keeps only the items `keep` accepts, in order. */
  retain(keep: (item: T) => boolean): void {
    this.#items = this.#items.slice(this.#head).filter((item) => keep(item as T));
    this.#head = 0;
  }
}
