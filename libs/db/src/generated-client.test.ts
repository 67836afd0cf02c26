import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const pkgDir = new URL("..", import.meta.url).pathname;
const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe("generated Prisma client", () => {
  it("is what `npm run generate -w @tidings/db` makes from the checked-in schema", async () => {
    // Generate into a scratch copy laid out like the package, so the output is byte-comparable.
    const scratch = await mkdtemp(join(tmpdir(), "tidings-generate-"));
    try {
      await cp(join(pkgDir, "prisma"), join(scratch, "prisma"), { recursive: true });
      await promisify(execFile)(
        process.execPath,
        [prismaCli, "generate", "--schema", join(scratch, "prisma/schema.prisma")],
        {
          cwd: pkgDir,
          env: {
            ...process.env,
            PRISMA_SCHEMA_ENGINE_BINARY: join(pkgDir, "prisma/no-schema-engine.sh"),
          },
        },
      );
      const fresh = join(scratch, "src/generated/prisma");
      const committed = join(pkgDir, "src/generated/prisma");
      const files = await listFiles(committed);
      expect(await listFiles(fresh)).toEqual(files);
      for (const file of files) {
        const [a, b] = await Promise.all([
          readFile(join(fresh, file), "utf8"),
          readFile(join(committed, file), "utf8"),
        ]);
        expect(a, `${file} is stale: run npm run generate -w @tidings/db`).toBe(b);
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
