import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * deploy/chart-render: Helm's rendering (Go's text/template, sprig, Helm's own functions, values
 * and schema handling) as a small Go program, built from Debian's packaged sources
 * (golang-go, golang-github-masterminds-sprig-dev, golang-k8s-sigs-yaml-dev,
 * golang-github-xeipuuv-gojsonschema-dev, golang-github-gobwas-glob-dev, golang-gopkg-yaml.v3-dev;
 * `.ci/run` installs them).
 */
const SOURCE = fileURLToPath(new URL("../../deploy/chart-render/", import.meta.url));

/** GOPATH mode on Debian's sources: nothing is downloaded. */
const GO_ENV = { ...process.env, GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOFLAGS: "" };

let binary: string | undefined;

/**
 * The built program, once per test process. Named by a hash of its sources, so a build from
 * another process or run is reused as long as the sources are the same; built under another name
 * and renamed, so a process never runs a half-written binary. Go's build cache makes a rebuild
 * take a second or two; the first build on a machine about fifteen.
 */
export function chartRenderBinary(): string {
  if (binary) return binary;
  const hash = createHash("sha256");
  for (const file of readdirSync(SOURCE).sort())
    if (file.endsWith(".go")) hash.update(file).update(readFileSync(join(SOURCE, file)));
  const target = join(tmpdir(), `tidings-chart-render-${hash.digest("hex").slice(0, 16)}`);
  if (!existsSync(target)) {
    const partial = `${target}.${process.pid}`;
    execFileSync("go", ["build", "-o", partial, "."], {
      cwd: SOURCE,
      env: GO_ENV,
      stdio: ["ignore", "ignore", "inherit"],
    });
    renameSync(partial, target);
  }
  binary = target;
  return target;
}

/**
 * Runs chart-render with `args` (its flags are `helm template`'s: -f, --set, --release,
 * --namespace, ...), `input` on stdin for `-f -`. Throws an Error whose message is what it printed
 * on failure, as `helm template` does ("Error: execution error at (...): ...").
 */
export function runChartRender(args: string[], input = ""): string {
  try {
    return execFileSync(chartRenderBinary(), args, {
      input,
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(typeof stderr === "string" && stderr.trim() ? stderr.trim() : String(error));
  }
}

/** One document of the output: its template file (tidings/templates/x.yaml) and its text. */
export interface SourceDocument {
  source: string;
  text: string;
}

const SOURCE_HEADER = /^---\n# Source: (.+)\n/gm;

/** The output's documents, each under the `---\n# Source: <file>` header Helm gives it. */
export function splitSources(output: string): SourceDocument[] {
  const headers = [...output.matchAll(SOURCE_HEADER)];
  return headers.map((header, i) => ({
    source: header[1] as string,
    text: output.slice(
      (header.index ?? 0) + header[0].length,
      headers[i + 1]?.index ?? output.length,
    ),
  }));
}
