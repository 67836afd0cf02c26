import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensurePrivateDir } from "@tidings/db";

/**
 * The HS256 secret: the configured one, or in single-node mode one generated on first start and
 * kept in the data dir (readable by the owner only), so tokens survive restarts.
 */
export async function resolveJwtSecret(
  configured: string | undefined,
  dataDir: string,
): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, "jwt-secret");
  try {
    const stored = (await readFile(file, "utf8")).trim();
    if (stored.length >= 32) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secret = randomBytes(48).toString("base64url");
  await ensurePrivateDir(dataDir);
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
