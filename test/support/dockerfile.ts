import { existsSync, readdirSync, readFileSync } from "node:fs";

/** The repository root. */
export const REPO_ROOT = new URL("../../", import.meta.url);

const read = (path: string) => readFileSync(new URL(path, REPO_ROOT), "utf8");

/** One Dockerfile instruction, its arguments as written on the line. */
export interface Instruction {
  keyword: string;
  args: string;
}

/**
 * deploy/docker/Dockerfile's instructions by stage (index 0 holds what precedes the first FROM;
 * the last is the image), comments dropped. No Docker engine runs on the development machines:
 * the tests and the image dry run read the Dockerfile instead of building it.
 */
export function dockerfileStages(): Instruction[][] {
  const result: Instruction[][] = [[]];
  for (const line of read("deploy/docker/Dockerfile").split("\n")) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    const [keyword = "", ...rest] = line.trim().split(/\s+/);
    if (keyword === "FROM") result.push([]);
    result.at(-1)?.push({ keyword, args: rest.join(" ") });
  }
  return result;
}

/** The stage named `name` (`FROM … AS name`). */
export function dockerfileStage(name: string): Instruction[] {
  const stage = dockerfileStages().find((instructions) =>
    instructions[0]?.args.endsWith(` AS ${name}`),
  );
  if (!stage) throw new Error(`the Dockerfile has no stage ${name}`);
  return stage;
}

/** What the image copies from the build stage: [path in the build stage, path in the image]. */
export function copiedFromBuild(): [string, string][] {
  const image = dockerfileStages().at(-1) ?? [];
  return image
    .filter((i) => i.keyword === "COPY" && i.args.startsWith("--from=build "))
    .map((i) => {
      const [, from = "", to = ""] = i.args.split(/\s+/);
      return [from.replace(/^\/app\//, ""), to];
    });
}

/** Workspace folders, from the root package.json's globs. */
export function workspaceDirs(): string[] {
  const globs: string[] = JSON.parse(read("package.json")).workspaces;
  return globs.flatMap((glob) =>
    glob.endsWith("/*")
      ? readdirSync(new URL(glob.slice(0, -1), REPO_ROOT))
          .map((name) => `${glob.slice(0, -1)}${name}`)
          .filter((dir) => existsSync(new URL(`${dir}/package.json`, REPO_ROOT)))
      : [glob],
  );
}

/** .dockerignore as Docker reads it: `**` spans folders, a match excludes the folder's contents. */
export function dockerIgnored(path: string): boolean {
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
