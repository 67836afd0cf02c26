import { randomBytes } from "node:crypto";
import { createTokenService } from "@tidings/auth";
import { type DatabaseOptions, newId, openDatabase } from "@tidings/db";
import {
  type BenchUser,
  FEED_COLLECTION,
  HISTORY_COLLECTION,
  NEWS_COLLECTION,
} from "./workload.ts";

/** The superuser every bench deployment starts with (it creates the collections). */
export const SUPERUSER = { email: "load-bench@example.com", password: "load-bench-password" };

/**
 * Creates the users straight in the database, with tokens signed as the records service signs
 * them: registering 10,000 users over REST would hash 10,000 passwords (scrypt, slow on purpose).
 * They are real rows, so every token check and rule the bench exercises is the real one; none can
 * sign in with a password (nothing does). On PGlite, call it while no process holds the data dir.
 */
export async function createUsers(
  database: DatabaseOptions,
  jwtSecret: string,
  count: number,
): Promise<BenchUser[]> {
  const db = await openDatabase(
    "url" in database ? { url: database.url, poolSize: 2 } : { dataDir: database.dataDir },
  );
  try {
    const tokens = createTokenService({ secret: jwtSecret, ttlSeconds: 86_400 }, db.prisma);
    const rows = Array.from({ length: count }, (_, i) => ({
      id: newId(),
      email: `load-${i}@example.com`,
      passwordHash: "load-bench-user-without-password",
      tokenKey: randomBytes(24).toString("base64url"),
    }));
    for (let i = 0; i < rows.length; i += 1_000)
      await db.prisma.user.createMany({ data: rows.slice(i, i + 1_000) });
    return await Promise.all(
      rows.map(async (row) => ({ id: row.id, token: await tokens.issue(row) })),
    );
  } finally {
    await db.close();
  }
}

async function post(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Signs in as the superuser and creates the bench's collections (W1, W2, and the history). */
export async function createCollections(recordsUrl: string): Promise<void> {
  const login = await post(`${recordsUrl}/api/auth/login`, SUPERUSER);
  for (const collection of [FEED_COLLECTION, NEWS_COLLECTION, HISTORY_COLLECTION])
    await post(`${recordsUrl}/api/collections`, collection, login.token as string);
}
