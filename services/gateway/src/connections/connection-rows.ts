import type { SqlClient } from "@tidings/db";

// Raw statements on the driver for the hot path: through Prisma each statement costs about as much
// CPU again as on the driver, and a named prepared statement is parsed and planned once per
// connection. Rows travel as one JSON parameter and lists of ids as an array, the same on PostgreSQL
// and PGlite.

/** A connection asking to be admitted. */
export interface Opening {
  id: string;
  userId: string | null;
  protocol: string;
}

// Admission and insert in one statement: each user's openings, in batch order, are numbered after
// the user's live connections (open, and seen lately); those within the limit are inserted. The
// count is a subquery per user so that even the generic plan of the prepared statement looks users
// up by index (a join lets it scan every live connection instead), and the index on (user_id,
// last_seen_at) answers it from the user's own entries. Exported for the test of its plan.
export const ADMIT_CONNECTIONS = `
  WITH numbered AS (
    SELECT r.id, r.user_id, r.protocol,
      row_number() OVER (PARTITION BY r.user_id ORDER BY r.n) AS nth
    FROM jsonb_to_recordset($1::jsonb) AS r(n int, id text, user_id text, protocol text)
  )
  INSERT INTO realtime_connections (id, user_id, node_id, protocol)
  SELECT id, user_id, $3, protocol FROM numbered
  WHERE user_id IS NULL OR nth + (
    SELECT count(*) FROM realtime_connections c
    WHERE c.user_id = numbered.user_id AND c.disconnected_at IS NULL
      AND c.last_seen_at > $2::timestamptz
  ) <= $4
  RETURNING id`;

/**
 * Inserts the openings a user's limit admits (its live connections seen after `seenAfter`, and its
 * earlier openings in the batch, count against it); returns the ids inserted.
 */
export async function admitConnections(
  sql: SqlClient,
  openings: Opening[],
  options: { nodeId: string; seenAfter: Date; maxPerUser: number },
): Promise<Set<string>> {
  const rows = await sql.query<{ id: string }>(ADMIT_CONNECTIONS, [
    JSON.stringify(
      openings.map((opening, n) => ({
        n,
        id: opening.id,
        user_id: opening.userId,
        protocol: opening.protocol,
      })),
    ),
    options.seenAfter.toISOString(),
    options.nodeId,
    options.maxPerUser,
  ]);
  return new Set(rows.map((row) => row.id));
}

/** Live connections of the user (open, and seen after `seenAfter`). */
export async function liveConnections(
  sql: SqlClient,
  userId: string,
  seenAfter: Date,
): Promise<number> {
  const [row] = await sql.query<{ live: number }>(
    `SELECT count(*)::int AS live FROM realtime_connections
     WHERE user_id = $1 AND disconnected_at IS NULL AND last_seen_at > $2::timestamptz`,
    [userId, seenAfter.toISOString()],
  );
  return Number(row?.live ?? 0);
}

/** Marks the connections closed at `at`. */
export async function markClosed(sql: SqlClient, ids: string[], at: Date): Promise<void> {
  await sql.query(
    `UPDATE realtime_connections SET disconnected_at = $2::timestamptz
     WHERE id = ANY($1::text[])`,
    [ids, at.toISOString()],
  );
}
