import type { SqlClient } from "@tidings/db";

/**
 * Deletes sent outbox rows once they are older than `keepMs`, by seq range (the primary key):
 * every `everyMs` it notes how far the relay has published, and deletes the sent rows up to what
 * it had noted `keepMs` before. A row below that seq that is still unsent (its transaction
 * committed late) stays until it is published.
 */
export class SentRowsCleanup {
  readonly #keepMs: number;
  readonly #everyMs: number;
  #marks: { at: number; seq: bigint }[] = [];
  #next = 0;

  constructor(keepMs: number, everyMs = 60_000) {
    this.#keepMs = keepMs;
    this.#everyMs = everyMs;
  }

  /** Called after each relay round with the highest seq published so far. */
  async tick(
    sql: SqlClient,
    publishedThrough: bigint | undefined,
    now = Date.now(),
  ): Promise<void> {
    if (now < this.#next) return;
    this.#next = now + this.#everyMs;
    if (publishedThrough !== undefined) this.#marks.push({ at: now, seq: publishedThrough });
    let through: bigint | undefined;
    while (this.#marks.length > 0 && (this.#marks[0]?.at ?? now) <= now - this.#keepMs)
      through = this.#marks.shift()?.seq;
    if (through !== undefined) {
      await sql.query("DELETE FROM outbox WHERE seq <= $1 AND sent_at IS NOT NULL", [
        through.toString(),
      ]);
    }
  }
}
