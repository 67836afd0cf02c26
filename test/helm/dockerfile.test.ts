import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROOT } from "./chart.ts";
import { COMPONENTS } from "./fixtures.ts";
import { SERVICE_CONFIG } from "./service-config.ts";

// No Docker engine runs on the development machines: these checks stand in for `docker build`.
const read = (path: string) => readFileSync(new URL(path, ROOT), "utf8");

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions by stage (the last is the image), comments dropped. */
function stages(): Instruction[][] {
  const result: Instruction[][] = [[]];
  for (const line of read("deploy/docker/Dockerfile").split("\n")) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    const [keyword = "", ...rest] = line.trim().split(/\s+/);
    if (keyword === "FROM") result.push([]);
    result.at(-1)?.push({ keyword, args: rest.join(" ") });
  }
  return result;
}

const all = stages().flat();
const image = stages().at(-1) ?? [];
const lockfile = JSON.parse(read("package-lock.json")) as {
  packages: Record<
    string,
    { dev?: boolean; os?: string[]; dependencies?: object; optionalDependencies?: object }
  >;
};

/** Workspace folders, from the root package.json's globs. */
function workspaces(): string[] {
  const globs: string[] = JSON.parse(read("package.json")).workspaces;
  return globs.flatMap((glob) =>
    glob.endsWith("/*")
      ? readdirSync(new URL(glob.slice(0, -1), ROOT))
          .map((name) => `${glob.slice(0, -1)}${name}`)
          .filter((dir) => existsSync(new URL(`${dir}/package.json`, ROOT)))
      : [glob],
  );
}

/** .dockerignore as Docker reads it: `**` spans folders, a match excludes the folder's contents. */
function ignored(path: string): boolean {
  const patterns = read(".dockerignore")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  let excluded = false;
  for (const pattern of patterns) {
    const negate = pattern.startsWith("!");
    const source = pattern
      .replace(/^!?\/?/, "")
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*\*\//g, "\u0000")
      .replace(/\*\*/g, ".*")
      .replace(/\*/g, "[^/]*")
      .replace(/\?/g, "[^/]")
      .replaceAll("\u0000", "(?:.*/)?");
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) excluded = !negate;
  }
  return excluded;
}

describe("deploy/docker/Dockerfile", () => {
  it("builds on node:20-slim, the Node.js major the project supports", () => {
    expect(all).toContainEqual({ keyword: "ARG", args: "NODE_IMAGE=node:20-slim" });
    // Each stage starts from the base image or from an earlier stage.
    const names: string[] = [];
    for (const from of all.filter((i) => i.keyword === "FROM")) {
      const [base = "", , name] = from.args.split(" ");
      expect([`\${NODE_IMAGE}`, ...names], from.args).toContain(base);
      if (name) names.push(name);
    }
    expect(JSON.parse(read("package.json")).engines.node).toBe(">=20.19");
  });

  it("copies the lockfile and every workspace's manifest before installing with npm ci", () => {
    const copied = all.filter((i) => i.keyword === "COPY").flatMap((i) => i.args.split(/\s+/));
    expect(copied).toEqual(expect.arrayContaining(["package.json", "package-lock.json"]));
    expect(workspaces().length).toBeGreaterThan(10);
    for (const dir of workspaces()) expect(copied).toContain(`${dir}/package.json`);
    const runs = all.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(runs.filter((run) => run.includes("npm ci --ignore-scripts"))).toHaveLength(1);
    expect(runs.filter((run) => run.includes("npm ci --omit=dev --ignore-scripts"))).toHaveLength(
      1,
    );
    expect(runs.filter((run) => /npm (install|i) /.test(run))).toEqual([]);
  });

  it("adds exactly tsx and what it needs beyond the production dependencies", () => {
    const needed = new Set<string>();
    const visit = (name: string) => {
      const entry = lockfile.packages[`node_modules/${name}`];
      if (!entry?.dev || (entry.os && !entry.os.includes("linux"))) return;
      // A scoped package is copied with its scope folder (@esbuild holds the platform binary).
      needed.add(name.startsWith("@") ? (name.split("/")[0] as string) : name);
      for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }))
        visit(dep);
    };
    visit("tsx");
    const added = image
      .filter((i) => i.keyword === "COPY" && i.args.startsWith("--from=dev-deps"))
      .map((i) => i.args.split(/\s+/)[1]?.replace("/app/node_modules/", ""));
    expect(needed.has("tsx")).toBe(true);
    expect(added.sort()).toEqual([...needed].sort());
  });

  it("runs as a numeric non-root user, without a HEALTHCHECK, through node --import tsx", () => {
    const user = image.find((i) => i.keyword === "USER")?.args ?? "";
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(all.some((i) => i.keyword === "HEALTHCHECK")).toBe(false);
    expect(image.find((i) => i.keyword === "ENTRYPOINT")?.args).toBe('["node", "--import", "tsx"]');
    const command = JSON.parse(image.find((i) => i.keyword === "CMD")?.args ?? "[]");
    expect(command).toEqual(["services/standalone/src/main.ts"]);
    // `npm start` runs the same command, replacing its shell, so npm's child is the server.
    expect(JSON.parse(read("services/standalone/package.json")).scripts.start).toBe(
      "exec node --import tsx src/main.ts",
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
  it("keeps host dependencies, git and local data out of the build context", () => {
    for (const path of [
      "node_modules/fastify/package.json",
      "libs/db/node_modules/prisma/package.json",
      ".git/HEAD",
      ".tidings/jwt-secret",
      "services/records/src/config.test.ts",
    ])
      expect(ignored(path), path).toBe(true);
  });

  it("keeps everything the services read at run time", () => {
    const migrations = readdirSync(new URL("libs/db/prisma/migrations/", ROOT)).filter(
      (name) => !name.includes("."),
    );
    const needed = [
      "package.json",
      "package-lock.json",
      ".npmrc",
      ...workspaces().map((dir) => `${dir}/package.json`),
      ...COMPONENTS.map((c) => `services/${c}/src/main.ts`),
      "services/standalone/src/main.ts",
      `libs/db/prisma/migrations/${migrations[0]}/migration.sql`,
      "libs/protocol/proto/tidings/v1/publisher.proto",
      ...readdirSync(new URL("services/standalone/public/", ROOT)).map(
        (file) => `services/standalone/public/${file}`,
      ),
    ];
    expect(migrations.length).toBeGreaterThan(0);
    for (const path of needed) {
      expect(existsSync(new URL(path, ROOT)), path).toBe(true);
      expect(ignored(path), path).toBe(false);
    }
  });
});
