import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  copiedFromBuild,
  dockerfileStage,
  dockerfileStages,
  dockerIgnored,
  REPO_ROOT as ROOT,
  workspaceDirs,
} from "../support/dockerfile.ts";
import { COMPONENTS } from "./fixtures.ts";
import { SERVICE_CONFIG } from "./service-config.ts";

// No Docker engine runs on the development machines: these checks stand in for `docker build`
// (and `npm run image:dry-run` reproduces its steps outside Docker).
const read = (path: string) => readFileSync(new URL(path, ROOT), "utf8");
const manifest = (dir: string) =>
  JSON.parse(read(`${dir}/package.json`)) as {
    name: string;
    engines?: { node?: string };
    dependencies?: Record<string, string>;
  };

const all = dockerfileStages().flat();
const image = dockerfileStages().at(-1) ?? [];
const lockfile = JSON.parse(read("package-lock.json")) as {
  packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
};

/** Workspace folders the image runs: the three services, the single node and what they depend on. */
function runtimeWorkspaces(): string[] {
  const byName = new Map(workspaceDirs().map((dir) => [manifest(dir).name, dir]));
  const needed = new Set<string>();
  const visit = (dir: string) => {
    if (needed.has(dir)) return;
    needed.add(dir);
    for (const name of Object.keys(manifest(dir).dependencies ?? {})) {
      const dep = byName.get(name);
      if (dep) visit(dep);
    }
  };
  for (const service of COMPONENTS) visit(`services/${service}`);
  visit("apps/standalone");
  return [...needed].sort();
}

/** Files and folders the package's source reads from disk at run time (`new URL("../…")`). */
function filesReadAtRunTime(dir: string): string[] {
  const found: string[] = [];
  const src = new URL(`${dir}/src/`, ROOT);
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".test.ts")) continue;
    const file = join(entry.parentPath, entry.name);
    for (const match of readFileSync(file, "utf8").matchAll(
      /new URL\("(\.\.\/[^"]+)", import\.meta\.url\)/g,
    )) {
      const fromRoot = join(dirname(file), match[1] as string).slice(ROOT.pathname.length);
      if (!fromRoot.startsWith(`${dir}/src/`)) found.push(fromRoot.replace(/\/$/, ""));
    }
  }
  return found;
}

describe("deploy/docker/Dockerfile", () => {
  it("builds on a Node.js LTS pinned by digest, the line package.json's engines names", () => {
    const base = all.find((i) => i.keyword === "ARG" && i.args.startsWith("NODE_IMAGE="))?.args;
    const pinned = /^NODE_IMAGE=node:(22|24)-slim@sha256:[0-9a-f]{64}$/.exec(base ?? "");
    expect(pinned, base).not.toBeNull();
    // Each stage starts from the base image or from an earlier stage.
    const names: string[] = [];
    for (const from of all.filter((i) => i.keyword === "FROM")) {
      const [start = "", , name] = from.args.split(" ");
      expect([`\${NODE_IMAGE}`, ...names], from.args).toContain(start);
      if (name) names.push(name);
    }
    expect(manifest(".").engines?.node).toMatch(new RegExp(`^>=${pinned?.[1]}\\.`));
  });

  it("copies the lockfile and every workspace's manifest before installing with npm ci", () => {
    const copied = all.filter((i) => i.keyword === "COPY").flatMap((i) => i.args.split(/\s+/));
    expect(copied).toEqual(expect.arrayContaining(["package.json", "package-lock.json"]));
    expect(workspaceDirs().length).toBeGreaterThan(10);
    for (const dir of workspaceDirs()) expect(copied).toContain(`${dir}/package.json`);
    const runs = all.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(runs.filter((run) => run.includes("npm ci --ignore-scripts"))).toHaveLength(1);
    expect(
      runs.filter((run) => run.includes("npm ci --omit=dev --omit=optional --ignore-scripts")),
    ).toHaveLength(1);
    expect(runs.filter((run) => /npm (install|i) /.test(run))).toEqual([]);
  });

  it("type-checks and compiles the sources in the build stage", () => {
    const build = dockerfileStage("build");
    expect(build.map((i) => i.keyword)).toEqual(["FROM", "RUN", "COPY", "RUN"]);
    expect(build[3]?.args).toBe("npm run typecheck && npm run build");
  });

  it("ships production dependencies and the compiled output of exactly the packages the services run", () => {
    const runtime = runtimeWorkspaces();
    expect(runtime).toEqual(expect.arrayContaining(["libs/auth", "libs/db", "services/gateway"]));
    const copied = copiedFromBuild();
    const dists = copied.filter(([from]) => from.endsWith("/dist")).map(([from]) => from);
    expect(dists.sort()).toEqual(runtime.map((dir) => `${dir}/dist`));
    for (const [from, to] of copied) expect(to).toBe(from);
    // Nothing else comes from the build stage (its node_modules hold the dev tools) and no
    // TypeScript source is copied: the image holds prod-deps' tree and dist/.
    expect(
      copied.filter(([from]) => from.includes("node_modules") || from.endsWith("/src")),
    ).toEqual([]);
    expect(image.filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from="))).toEqual([]);
    expect(
      image.filter((i) => i.keyword === "COPY" && i.args.startsWith("--from=prod-deps")),
    ).toHaveLength(1);
    // What npm ci --omit=dev --omit=optional leaves out: the lockfile marks the dev tools as
    // dev-only, or (TypeScript, an optional peer of the Prisma client) as dev or optional.
    for (const tool of [
      "tsx",
      "esbuild",
      "typescript",
      "vitest",
      "turbo",
      "libs/db/node_modules/prisma",
    ]) {
      const entry = lockfile.packages[tool.includes("/") ? tool : `node_modules/${tool}`];
      expect(entry?.dev || entry?.devOptional, tool).toBe(true);
    }
  });

  it("copies what the compiled services read from disk at run time", () => {
    const read = runtimeWorkspaces().flatMap(filesReadAtRunTime);
    expect(read).toEqual(
      expect.arrayContaining([
        "libs/db/prisma/migrations",
        "libs/protocol/proto/tidings/v1/publisher.proto",
        "apps/standalone/public",
      ]),
    );
    const copied = copiedFromBuild().map(([from]) => from);
    for (const path of read)
      expect(
        copied.some((from) => path === from || path.startsWith(`${from}/`)),
        path,
      ).toBe(true);
    for (const from of copied.filter((path) => !path.endsWith("/dist")))
      expect(existsSync(new URL(from, ROOT)), from).toBe(true);
  });

  it("runs the compiled single node as a numeric non-root user, without a HEALTHCHECK", () => {
    const user = image.find((i) => i.keyword === "USER")?.args ?? "";
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(all.some((i) => i.keyword === "HEALTHCHECK")).toBe(false);
    expect(image.find((i) => i.keyword === "ENTRYPOINT")?.args).toBe(
      '["node", "--enable-source-maps"]',
    );
    const command = JSON.parse(image.find((i) => i.keyword === "CMD")?.args ?? "[]");
    expect(command).toEqual(["apps/standalone/dist/main.js"]);
    expect(existsSync(new URL("apps/standalone/src/main.ts", ROOT))).toBe(true);
    // `npm start` runs the source in the same way, replacing its shell, so npm's child is the server.
    expect(JSON.parse(read("package.json")).scripts.start).toBe(
      "exec node --conditions=@tidings/source --import tsx apps/standalone/src/main.ts",
    );
  });

  it("sets only variables that every service reads", () => {
    const variables = image
      .filter((i) => i.keyword === "ENV")
      .flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split("=")[0] ?? ""));
    expect(variables).toContain("TIDINGS_HOST");
    for (const name of variables)
      for (const component of COMPONENTS)
        expect(SERVICE_CONFIG[component].variables, `${component} ${name}`).toContain(name);
  });
});

describe(".dockerignore", () => {
  it("keeps host dependencies, builds, git, tests and local data out of the build context", () => {
    for (const path of [
      "node_modules/fastify/package.json",
      "libs/db/node_modules/prisma/package.json",
      "services/records/dist/main.js",
      ".git/HEAD",
      ".tidings/jwt-secret",
      "services/records/src/config.test.ts",
    ])
      expect(dockerIgnored(path), path).toBe(true);
  });

  it("keeps everything the build stage compiles and the services read at run time", () => {
    const migrations = readdirSync(new URL("libs/db/prisma/migrations/", ROOT)).filter(
      (name) => !name.includes("."),
    );
    const needed = [
      "package.json",
      "package-lock.json",
      ".npmrc",
      "turbo.json",
      "tsconfig.base.json",
      "tsconfig.build.json",
      ...workspaceDirs().map((dir) => `${dir}/package.json`),
      ...runtimeWorkspaces().flatMap((dir) => [
        `${dir}/tsconfig.json`,
        `${dir}/tsconfig.build.json`,
        `${dir}/src/index.ts`,
      ]),
      ...COMPONENTS.map((c) => `services/${c}/src/main.ts`),
      "apps/standalone/src/main.ts",
      `libs/db/prisma/migrations/${migrations[0]}/migration.sql`,
      "libs/protocol/proto/tidings/v1/publisher.proto",
      ...readdirSync(new URL("apps/standalone/public/", ROOT)).map(
        (file) => `apps/standalone/public/${file}`,
      ),
    ];
    expect(migrations.length).toBeGreaterThan(0);
    for (const path of needed) {
      expect(existsSync(new URL(path, ROOT)), path).toBe(true);
      expect(dockerIgnored(path), path).toBe(false);
    }
  });
});
