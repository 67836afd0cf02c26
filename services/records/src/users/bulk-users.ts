import { isUniqueViolation, newId, type SqlClient, type User } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import type { FieldErrors } from "@tidings/service";
import { newTokenKey, normaliseEmail } from "../auth/users.ts";
import { hashPasswords } from "./hash-passwords.ts";
import type { BulkUsersInput } from "./user-input.ts";

interface InsertedRow {
  id: string;
  email: string;
  name: string;
  role: User["role"];
  verified: boolean;
  disabled: boolean;
  created: Date | string;
  updated: Date | string;
}

// Every account in one statement: the columns travel as one array each, so the statement has
// seven parameters however many accounts there are (no chunking under PostgreSQL's 65,535), and
// it commits all of them or none.
const INSERT = `INSERT INTO users (id, email, name, password_hash, role, token_key, verified, disabled, created, updated)
SELECT t.id, t.email, t.name, t.hash, t.role::"Role", t.token_key, t.verified, false, now(), now()
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[])
  AS t(id, email, name, hash, role, token_key, verified)
RETURNING id, email, name, role::text AS role, verified, disabled, created, updated`;

/**
 * The entries whose email is taken: by an earlier entry of the batch, or by a stored account.
 * `CONFLICT` naming each (`users.3.email`), or nothing.
 */
async function refuseTakenEmails(sql: SqlClient, emails: string[]): Promise<void> {
  const errors: FieldErrors = {};
  const first = new Map<string, number>();
  emails.forEach((email, index) => {
    const earlier = first.get(email);
    if (earlier === undefined) first.set(email, index);
    else
      errors[`users.${index}.email`] = {
        code: "not_unique",
        message: `the same email as users.${earlier}`,
      };
  });
  const stored = await sql.query<{ email: string }>(
    "SELECT email FROM users WHERE email = ANY($1::text[])",
    [[...first.keys()]],
  );
  for (const { email } of stored) {
    errors[`users.${first.get(email)}.email`] = {
      code: "not_unique",
      message: "the email is taken",
    };
  }
  const indexes = Object.keys(errors);
  if (indexes.length > 0) {
    throw new TidingsError(
      "CONFLICT",
      `${indexes.length} email(s) are taken or repeated; nothing was created.`,
      errors,
    );
  }
}

/**
 * Creates every account of the batch, or none: emails taken inside the batch or already are
 * `CONFLICT` before anything is hashed; passwords are hashed on the thread pool; then one insert.
 * Answers the stored users in the order given.
 */
export async function createUsers(db: { sql: SqlClient }, input: BulkUsersInput): Promise<User[]> {
  const entries = input.users;
  const emails = entries.map((entry) => normaliseEmail(entry.email));
  await refuseTakenEmails(db.sql, emails);
  const hashes = await hashPasswords(entries.map((entry) => entry.password));
  const ids = entries.map(() => newId());
  const keys = entries.map(() => newTokenKey());
  let rows: InsertedRow[];
  try {
    rows = await db.sql.query<InsertedRow>(INSERT, [
      ids,
      emails,
      entries.map((entry) => entry.name ?? ""),
      hashes,
      entries.map((entry) => entry.role ?? "user"),
      keys,
      entries.map((entry) => entry.verified ?? false),
    ]);
  } catch (error) {
    // Registered meanwhile (between the check and the insert): name which, as the check would.
    if (isUniqueViolation(error)) await refuseTakenEmails(db.sql, emails);
    throw error;
  }
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id, index) => {
    const row = byId.get(id) as InsertedRow;
    return {
      ...row,
      passwordHash: hashes[index] as string,
      tokenKey: keys[index] as string,
      created: new Date(row.created),
      updated: new Date(row.updated),
    };
  });
}
