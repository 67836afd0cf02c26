/**
 * Parameterised statements on the database's shared connections (PostgreSQL: the pool Prisma also
 * uses; PGlite: the one instance). For the hot paths where Prisma's per-query cost shows: each
 * statement is one round trip and nothing more.
 */
export interface SqlClient {
  /** Runs one parameterised statement and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
}

/**
 * The few raw-SQL operations that Prisma cannot do for us (multi-statement migration scripts,
 * advisory locks and LISTEN on one session), over either pg or PGlite.
 */
export interface SqlRunner extends SqlClient {
  /** Runs one or more statements with the simple protocol; no parameters. */
  exec(sql: string): Promise<void>;
  /**
   * Calls `onNotify` for each NOTIFY on `channel` (a plain identifier) until the returned function
   * is called or the session ends.
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /** Rejects with the error when the session's connection breaks; never resolves otherwise. */
  readonly broken: Promise<never>;
  close(): Promise<void>;
}
