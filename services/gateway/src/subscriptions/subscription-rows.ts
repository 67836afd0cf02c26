import type { SqlClient } from "@tidings/db";
import type { SubscriptionSpec } from "@tidings/protocol";

// Raw statements on the driver for the hot path: Prisma spends about 0.5 ms of CPU per row compiling
// a createMany of subscriptions, and a named prepared statement is parsed and planned once per
// connection. The rows travel as one JSON parameter, the same on PostgreSQL and PGlite; they hold
// what @tidings/collections' rowFromSpec gives Prisma.

/** A subscription to store, and the user it belongs to. */
export interface SubscriptionRow {
  spec: SubscriptionSpec;
  userId: string | null;
}

/** Inserts the subscriptions in one statement. */
export async function insertSubscriptions(sql: SqlClient, rows: SubscriptionRow[]): Promise<void> {
  await sql.query(
    `INSERT INTO realtime_subscriptions (id, connection_id, user_id, collection_id, record_id,
       filter, filter_syntax, events, "select", channel, auth, superuser, rules_version)
     SELECT id, connection_id, user_id, collection_id, record_id,
       filter, filter_syntax, events, "select", channel, auth, superuser, rules_version
     FROM jsonb_to_recordset($1::jsonb) AS r(id text, connection_id text, user_id text,
       collection_id text, record_id text, filter text, filter_syntax text, events text[],
       "select" text[], channel text, auth jsonb, superuser boolean, rules_version text)`,
    [
      JSON.stringify(
        rows.map(({ spec, userId }) => ({
          id: spec.id,
          connection_id: spec.connectionId,
          user_id: userId,
          collection_id: spec.collectionId,
          record_id: spec.recordId,
          filter: spec.filter,
          filter_syntax: spec.filterSyntax,
          events: spec.events,
          select: spec.select,
          channel: spec.channel,
          auth: spec.auth,
          superuser: spec.superuser,
          rules_version: spec.rulesVersion,
        })),
      ),
    ],
  );
}

/** Deletes the subscriptions in one statement. */
export async function deleteSubscriptions(sql: SqlClient, ids: string[]): Promise<void> {
  await sql.query("DELETE FROM realtime_subscriptions WHERE id = ANY($1::text[])", [ids]);
}
