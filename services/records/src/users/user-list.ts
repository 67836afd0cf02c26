import { type FieldDef, type SqlCondition, SqlParams } from "@tidings/collections";
import type { PrismaClient, User } from "@tidings/db";

/** A stored user as lists read it: everything but the password hash and the token key. */
export type UserRow = Omit<User, "passwordHash" | "tokenKey">;

/**
 * The fields of a user as a record of the `users` collection, for filters and sorts written in
 * the rule language (PocketBase clients): `id`, `created` and `updated` are system fields.
 */
export const USER_RECORD_FIELDS: FieldDef[] = [
  { name: "email", type: "text", required: true, hidden: false },
  { name: "name", type: "text", required: false, hidden: false },
  { name: "verified", type: "bool", required: false, hidden: false },
];

// The users table shaped like `records` (alias r): its columns, plus `data` holding the fields
// above, so the filter language's SQL (which reads "r"."data" and the system columns) runs on it.
// PostgreSQL flattens the subquery; `data` is only built where a filter or sort reads it.
const USERS_AS_RECORDS = `(SELECT u.id, u.email, u.name, u.role::text AS role, u.verified, u.disabled, u.created, u.updated, jsonb_build_object('email', u.email, 'name', u.name, 'verified', u.verified) AS data FROM users u) r`;
const COLUMNS = "r.id, r.email, r.name, r.role, r.verified, r.disabled, r.created, r.updated";

/** A page of users. */
export interface UserListQuery {
  /** Conditions on alias `r` (see USERS_AS_RECORDS). */
  conditions: SqlCondition[];
  /** ORDER BY list on alias `r`, ending in a unique tiebreak. */
  orderBy: string;
  limit: number;
  offset: number;
  withTotal: boolean;
}

function where(conditions: SqlCondition[], params: SqlParams): string {
  return conditions.length === 0 ? "TRUE" : conditions.map((c) => `(${c(params)})`).join(" AND ");
}

/** Lists users matching every condition; the count runs only when asked for. */
export async function listUsers(
  prisma: PrismaClient,
  query: UserListQuery,
): Promise<{ rows: UserRow[]; total: number | undefined }> {
  const params = new SqlParams();
  const clause = where(query.conditions, params);
  const limit = params.add(query.limit);
  const offset = params.add(query.offset);
  const rows = await prisma.$queryRawUnsafe<UserRow[]>(
    `SELECT ${COLUMNS} FROM ${USERS_AS_RECORDS} WHERE ${clause} ORDER BY ${query.orderBy} LIMIT ${limit} OFFSET ${offset}`,
    ...params.values,
  );
  if (!query.withTotal) return { rows, total: undefined };
  const countParams = new SqlParams();
  const [row] = await prisma.$queryRawUnsafe<{ total: bigint | number }[]>(
    `SELECT count(*) AS total FROM ${USERS_AS_RECORDS} WHERE ${where(query.conditions, countParams)}`,
    ...countParams.values,
  );
  return { rows, total: Number(row?.total ?? 0) };
}

/** `email` or `name` contains `text`, ignoring case (LIKE's wildcards in `text` are literal). */
export function searchCondition(text: string): SqlCondition {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return (params) => {
    const p = params.add(pattern);
    return `r.email ILIKE ${p} ESCAPE '\\' OR r.name ILIKE ${p} ESCAPE '\\'`;
  };
}
