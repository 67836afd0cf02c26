import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMigrations } from "@tidings/db";
import { connectPgRunner } from "@tidings/db/internal";
import type { LocalCluster } from "@tidings/local-cluster";
import { eventually, freePort, withPostgres } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/dockerfile.ts";
import { type ProcessCluster, startProcessCluster } from "../support/process-cluster.ts";

const root = REPO_ROOT.pathname;

async function readyz(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return response.status;
}

/** Waits until the process answers /readyz with 200; fails at once if it exits first. */
async function ready(child: ChildProcess, port: number): Promise<void> {
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    expect(await readyz(port)).toBe(200);
  }, 60_000);
}

// What the image runs: `npm run build`'s dist/main.js of each service, on plain Node (no tsx, no
// source condition), so a dist/ that imports a workspace's TypeScript or misses a file fails here.
describe("built entry points", () => {
  beforeAll(() => {
    execFileSync("npx", ["turbo", "run", "build", "--output-logs=errors-only"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    });
  }, 240_000);

  it("the single node (apps/standalone/dist/main.js) answers /readyz on its embedded defaults", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "tidings-built-"));
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ["--enable-source-maps", "apps/standalone/dist/main.js"],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          TIDINGS_HOST: "127.0.0.1",
          TIDINGS_PORT: String(port),
          TIDINGS_GRPC_PORT: String(await freePort()),
          TIDINGS_DATA_DIR: dataDir,
          TIDINGS_LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    try {
      await ready(child, port);
      // The live-view page comes from apps/standalone/public, next to dist/.
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<html");
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it("the migration Job's entry point (services/records/dist/migrate.js) migrates a fresh database once", async () => {
    const database = await withPostgres();
    const migrate = () =>
      spawnSync(process.execPath, ["--enable-source-maps", "services/records/dist/migrate.js"], {
        cwd: root,
        env: { PATH: process.env.PATH, TIDINGS_DATABASE_URL: database.url },
        encoding: "utf8",
      });
    try {
      const first = migrate();
      expect(first.status, first.stdout + first.stderr).toBe(0);
      const session = await connectPgRunner(database.url);
      try {
        const [row] = await session.query<{ applied: string }>(
          "SELECT count(*) AS applied FROM _prisma_migrations WHERE finished_at IS NOT NULL",
        );
        expect(Number(row?.applied)).toBe((await readMigrations()).length);
      } finally {
        await session.close();
      }
      // Again, as an upgrade with nothing new: nothing to do, still success.
      expect(migrate().status).toBe(0);
    } finally {
      await database.drop();
    }
  }, 60_000);

  describe("records, evaluator and gateway as separate processes", () => {
    let processes: ProcessCluster;
    let cluster: LocalCluster;

    beforeAll(async () => {
      processes = await startProcessCluster({ built: true });
      cluster = processes.cluster;
    }, 120_000);

    afterAll(async () => {
      await processes?.[Symbol.asyncDispose]();
    });

    it.each(["records-1", "evaluator-1", "gateway-1"])("%s answers /readyz", async (name) => {
      const service = cluster.service(name);
      await eventually(async () => expect(await readyz(service.port)).toBe(200), 60_000);
      // The compiled entry point runs, not the TypeScript source.
      expect(service.child.spawnargs).toContain(
        `services/${name.replace(/-\d+$/, "")}/dist/main.js`,
      );
    });
  });
});
