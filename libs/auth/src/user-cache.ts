import type { SqlClient, User } from "@tidings/db";
import { Batcher, ChangeCache } from "@tidings/service";

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: User["role"];
  token_key: string;
  verified: boolean;
  disabled: boolean;
  created: Date;
  updated: Date;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  passwordHash: row.password_hash,
  role: row.role,
  tokenKey: row.token_key,
  verified: row.verified,
  disabled: row.disabled,
  created: new Date(row.created),
  updated: new Date(row.updated),
});

/**
 * The users behind tokens, by id: read on every request and connection, changed rarely. Revoking
 * or changing a user announces it (`users.changed(id)`), so every replica reads it again. Users
 * not held yet are read together: a storm of connections from users this process has not seen
 * (a gateway's clients reconnecting after another one died) costs one query per batch, on the
 * driver, not one Prisma query each.
 */
export function userCache(sql: SqlClient): ChangeCache<User> {
  // A storm of unseen users flushes at most every 10 ms: a round trip costs more than its rows.
  const reads = new Batcher<string, User | undefined>(
    async (ids) => {
      const rows = await sql.query<UserRow>(
        "SELECT id, email, name, password_hash, role, token_key, verified, disabled, created, updated FROM users WHERE id = ANY($1::text[])",
        [[...new Set(ids)]],
      );
      const byId = new Map(rows.map((row) => [row.id, toUser(row)]));
      return ids.map((id) => byId.get(id));
    },
    { minIntervalMs: 10 },
  );
  return new ChangeCache<User>({
    topic: "users",
    load: (id) => reads.submit(id),
    keysOf: (user) => [user.id],
  });
}
