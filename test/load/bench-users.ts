import {
  type BenchUser,
  FEED_COLLECTION,
  HISTORY_COLLECTION,
  NEWS_COLLECTION,
} from "./workload.ts";

/** The superuser every bench deployment starts with (it creates the collections and users). */
export const SUPERUSER = { email: "load-bench@example.com", password: "load-bench-password" };

/** Most accounts one bulk request creates (docs/api.md, "Users"). */
const BULK_BATCH = 5_000;

/**
 * Creates the bench's users through the bulk users API, without passwords and with a token each
 * (one statement per 5,000; registering them one by one would hash a password each and meet the
 * auth rate limit). They are real accounts, so every token check and rule the bench exercises is
 * the real one; none can sign in with a password (nothing does).
 */
export async function createUsers(recordsUrl: string, count: number): Promise<BenchUser[]> {
  const login = await post(`${recordsUrl}/api/auth/login`, SUPERUSER);
  const users: BenchUser[] = [];
  for (let first = 0; first < count; first += BULK_BATCH) {
    const batch = Array.from({ length: Math.min(BULK_BATCH, count - first) }, (_, i) => ({
      email: `load-${first + i}@example.com`,
    }));
    const created = await post(
      `${recordsUrl}/api/users/bulk`,
      { users: batch, tokens: true },
      login.token as string,
    );
    const items = created.items as { id: string }[];
    const tokens = created.tokens as string[];
    for (const [i, item] of items.entries())
      users.push({ id: item.id, token: tokens[i] as string });
  }
  return users;
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
