import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

/** Another live process holds the embedded database. */
export class DataDirInUseError extends Error {
  override readonly name = "DataDirInUseError";
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Claims the data dir for this process. PGlite has no lock of its own, and two processes writing
 * one directory corrupt it; a lock left by a dead process is taken over (as is one bearing our own
 * pid: a restarted container's process often gets the pid of the one that died). Returns the release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, "tidings.pid");
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, "wx", 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number((await readFile(file, "utf8").catch(() => "")).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new DataDirInUseError(
          `${dataDir} is in use by process ${holder}; stop it or choose another TIDINGS_DATA_DIR`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new DataDirInUseError(`could not lock ${dataDir}`);
}
