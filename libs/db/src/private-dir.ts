import { chmod, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * Creates `dir` readable by its owner only (0700), or takes an existing one there: it holds the
 * single node's database (password hashes, every record) and its JWT secret.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/**
 * Takes every folder under `dir` to 0700 and every file to 0600. PGlite creates its files
 * world-writable (0666, whatever the umask); the private folder above them already keeps other
 * users out, and this leaves the files at rest as private as the folder.
 */
export async function restrictTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  await Promise.all(
    entries.map((entry) => {
      const path = join(entry.parentPath, entry.name);
      if (entry.isDirectory()) return chmod(path, 0o700);
      return entry.isFile() ? chmod(path, 0o600) : undefined;
    }),
  );
  await chmod(dir, 0o700);
}
