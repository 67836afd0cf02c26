/**
 * The msgIds a stream has stored within its duplicate window, and the sequence each was stored
 * at. Times live in a plain number array beside the ids, in arrival order, so a window holding a
 * million ids adds no object per id for the garbage collector to trace.
 */
export class DuplicateWindow {
  readonly #seqs = new Map<string, number>();
  #ids: string[] = [];
  #times: number[] = [];
  #head = 0;

  /** Sequence a msgId was stored at, while it is within the window. */
  seqOf(msgId: string): number | undefined {
    return this.#seqs.get(msgId);
  }

  remember(msgId: string, seq: number, at: number): void {
    this.#seqs.set(msgId, seq);
    this.#ids.push(msgId);
    this.#times.push(at);
  }

  /** Forgets the ids stored at or before `time`. */
  expire(time: number): void {
    while (this.#head < this.#ids.length && (this.#times[this.#head] as number) <= time) {
      // An id is stored again only after it left the window, so it is never queued twice.
      this.#seqs.delete(this.#ids[this.#head] as string);
      this.#ids[this.#head++] = "";
    }
    if (this.#head >= 1024 && this.#head * 2 >= this.#ids.length) {
      this.#ids = this.#ids.slice(this.#head);
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
  }
}
