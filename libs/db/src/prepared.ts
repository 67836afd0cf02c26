import { createHash } from "node:crypto";
import type pg from "pg";

// Statement names by text, shared by every connection of the process.
const names = new Map<string, string>();

/**
 * Runs a statement as a named prepared statement: each connection parses and plans a given text
 * once and reuses the plan, which halves PostgreSQL's CPU for the hot statements (measured on the
 * write of a record with its outbox row). The name is a hash of the text, so equal texts share it.
 */
export async function preparedQuery<Row>(
  client: Pick<pg.Pool | pg.Client, "query">,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  let name = names.get(text);
  if (name === undefined) {
    name = `t_${createHash("sha1").update(text).digest("base64url")}`;
    names.set(text, name);
  }
  const result = await client.query({ name, text, values });
  return result.rows as Row[];
}

/**
 * Runs a statement unnamed (parsed and planned each time, in the same round trip): what works
 * through a pooler in transaction mode, which may run each statement on another server session.
 */
export async function unnamedQuery<Row>(
  client: Pick<pg.Pool | pg.Client, "query">,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  const result = await client.query({ text, values });
  return result.rows as Row[];
}
