import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const CLIENT_DIR = join(ROOT, "libs/client");

/** An app's project outside the workspace, with the packed `@tidings/client` installed. */
export interface ScratchProject extends AsyncDisposable {
  readonly dir: string;
  /** Where the package is installed. */
  readonly packageDir: string;
  /** Writes `name` into the project. */
  write(name: string, text: string): Promise<void>;
}

/**
 * Builds the client (turbo: cached when nothing changed), packs it with `npm pack` and installs
 * the tarball into a new project in the system's temporary folder, as an app would from the
 * registry. socket.io-client comes from npm's cache when it is there.
 */
export async function installPackedClient(): Promise<ScratchProject> {
  await run(
    "npx",
    ["turbo", "run", "build", "--filter=@tidings/client", "--output-logs=errors-only"],
    {
      cwd: ROOT,
    },
  );
  const dir = await mkdtemp(join(tmpdir(), "tidings-sdk-"));
  try {
    const packed = await run("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: CLIENT_DIR,
    });
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    await writeFile(
      join(dir, "package.json"),
      JSON.stringify({ name: "tidings-sdk-scratch", private: true, type: "module" }),
    );
    await run(
      "npm",
      [
        "install",
        `./${filename}`,
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
      ],
      { cwd: dir },
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    packageDir: join(dir, "node_modules/@tidings/client"),
    write: (name, text) => writeFile(join(dir, name), text),
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
  };
}
