import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "./open-database.ts";

/** Permission bits of everything under `dir` (itself included), counted by kind and mode. */
async function modes(dir: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const count = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  count(`dir ${((await stat(dir)).mode & 0o777).toString(8)}`);
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const mode = (await stat(join(entry.parentPath, entry.name))).mode & 0o777;
    count(`${entry.isDirectory() ? "dir" : "file"} ${mode.toString(8)}`);
  }
  return counts;
}

describe("the single node's data directory", () => {
  let parent: string;
  let umask: number;

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), "tidings-private-"));
    // The usual umask, which leaves new files readable by everyone.
    umask = process.umask(0o022);
  });
  afterEach(async () => {
    process.umask(umask);
    await rm(parent, { recursive: true, force: true });
  });

  it("is taken to 0700, and PGlite's files to 0600 once it is open and after it closes", async () => {
    // A folder others could read, as an earlier version or a careless mkdir left it.
    const dataDir = join(parent, "data");
    await mkdir(dataDir, { mode: 0o755 });
    const db = await openDatabase({ dataDir });
    try {
      await db.prisma.user.count();
      const open = await modes(dataDir);
      expect(Object.keys(open).sort()).toEqual(["dir 700", "file 600"]);
      expect(open["file 600"]).toBeGreaterThan(100);
    } finally {
      await db.close();
    }
    const closed = await modes(dataDir);
    expect(Object.keys(closed).sort()).toEqual(["dir 700", "file 600"]);
  });
});
