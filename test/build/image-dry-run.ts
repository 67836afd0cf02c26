// `npm run image:dry-run`: carries out deploy/docker/Dockerfile's steps without a Docker engine
// (none runs on the development machines), measures the image's tree and starts the single node
// from it. Each stage is a folder; FROM copies the stage it names (a base image is an empty
// folder: this machine's Node stands in for it), COPY copies from the build context (the files
// .dockerignore keeps) or from an earlier stage, RUN runs in the stage's folder.
//   npm run image:dry-run [-- --keep] [--no-start]
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { eventually, freePort } from "@tidings/testing";
import { dockerfileStages, dockerIgnored, REPO_ROOT } from "../support/dockerfile.ts";

const { values } = parseArgs({
  options: { keep: { type: "boolean", default: false }, "no-start": { type: "boolean" } },
});
const root = REPO_ROOT.pathname;
const scratch = mkdtempSync(join(tmpdir(), "tidings-image-"));
const context = join(scratch, "context");
const stageDirs = new Map<string, string>();

function copyContext(): void {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter((file) => file && !dockerIgnored(file));
  for (const file of files) {
    mkdirSync(dirname(join(context, file)), { recursive: true });
    try {
      cpSync(join(root, file), join(context, file));
    } catch {
      // A file git knows of but deleted in the working tree is not in the context either.
    }
  }
}

function run(stageDir: string, args: string): void {
  const command = args.replace(/^(--mount=\S+\s+)+/, "");
  console.error(`  RUN ${command}`);
  execFileSync("sh", ["-c", command], { cwd: stageDir, stdio: ["ignore", "ignore", "inherit"] });
}

/** Docker's COPY: a folder's contents go into the target, a file into a target ending in "/". */
function copy(stageDir: string, args: string): void {
  const words = args.split(/\s+/);
  const from = words[0]?.startsWith("--from=") ? words.shift()?.slice("--from=".length) : undefined;
  const target = words.pop() ?? ".";
  const sourceDir = from ? stageDirs.get(from) : context;
  if (!sourceDir) throw new Error(`COPY from an unknown stage: ${args}`);
  for (const source of words) {
    const path = join(sourceDir, source.replace(/^\/app\/?/, ""));
    const intoFolder = target.endsWith("/") && !statSync(path).isDirectory();
    const destination = join(stageDir, target, intoFolder ? basename(path) : "");
    cpSync(path, destination, { recursive: true, verbatimSymlinks: true });
  }
}

function du(path: string): number {
  return Number(execFileSync("du", ["-sb", path], { encoding: "utf8" }).split("\t")[0]);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

copyContext();
let last = "";
let image = {
  entrypoint: [] as string[],
  command: [] as string[],
  env: {} as Record<string, string>,
};
for (const [index, stage] of dockerfileStages().slice(1).entries()) {
  const [start = "", , name = `stage-${index}`] = stage[0]?.args.split(" ") ?? [];
  const stageDir = join(scratch, name);
  const base = stageDirs.get(start);
  if (base) cpSync(base, stageDir, { recursive: true, verbatimSymlinks: true });
  else mkdirSync(stageDir);
  stageDirs.set(name, stageDir);
  console.error(`FROM ${start} AS ${name}`);
  image = { entrypoint: [], command: [], env: {} };
  for (const { keyword, args } of stage.slice(1)) {
    if (keyword === "RUN") run(stageDir, args);
    else if (keyword === "COPY") copy(stageDir, args);
    else if (keyword === "ENTRYPOINT") image.entrypoint = JSON.parse(args);
    else if (keyword === "CMD") image.command = JSON.parse(args);
    else if (keyword === "ENV") {
      const [key = "", value = ""] = args.split("=");
      image.env[key] = value;
    }
  }
  last = stageDir;
}

const packages = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((count, entry) => {
    if (!entry.isDirectory() || entry.name.startsWith(".")) return count;
    if (entry.name.startsWith("@")) return count + packages(join(dir, entry.name));
    return count + 1;
  }, 0);
const nodeModules = join(last, "node_modules");
const DEV_TOOLS = ["tsx", "esbuild", "typescript", "vitest", "turbo", "prisma", "@biomejs"];
const shipped = (name: string) =>
  execFileSync("find", [last, "-path", `*/node_modules/${name}`, "-prune"], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
const figures = {
  tree: mb(du(last)),
  nodeModules: mb(du(nodeModules)),
  topLevelPackages: packages(nodeModules),
  pgliteCopies: shipped("@electric-sql/pglite").length,
  devToolsShipped: DEV_TOOLS.flatMap(shipped).map((path) => path.slice(last.length + 1)),
};
console.log(JSON.stringify(figures, null, 2));

if (!values["no-start"]) {
  const port = await freePort();
  const server = spawn(process.execPath, [...image.entrypoint.slice(1), ...image.command], {
    cwd: last,
    env: {
      PATH: process.env.PATH,
      ...image.env,
      TIDINGS_HOST: "127.0.0.1",
      TIDINGS_PORT: String(port),
      TIDINGS_GRPC_PORT: String(await freePort()),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await eventually(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.status !== 200) throw new Error(`/readyz answered ${response.status}`);
    }, 60_000);
    console.log(`${image.command.join(" ")} from the image tree answered /readyz with 200`);
  } finally {
    server.kill("SIGTERM");
  }
}
if (values.keep) console.error(`kept ${scratch}`);
else rmSync(scratch, { recursive: true, force: true });
