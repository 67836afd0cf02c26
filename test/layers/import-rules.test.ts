import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The layering rules live in biome.json and run in `npm test`'s lint step: services and libraries
// never import a service or an app, apps never import the dev tools or tests
// (noRestrictedImports), and every package declares what it imports
// (noUndeclaredDependencies). These tests lint probe files placed in a copy of the project's
// configuration and package manifests, so they check the real rules without touching the tree.
const ROOT = new URL("../../", import.meta.url).pathname;
const BIOME = join(ROOT, "node_modules/.bin/biome");
const run = promisify(execFile);

const PROBES: Record<string, string> = {
  "services/gateway/src/probe-service.ts": 'import { startRecords } from "@tidings/records";',
  "services/gateway/src/probe-lib.ts": 'import { CollectionCatalog } from "@tidings/collections";',
  "libs/collections/src/probe-service.ts": 'import { startGateway } from "@tidings/gateway";',
  "libs/filter/src/probe-undeclared.ts": 'import { TidingsError } from "@tidings/protocol";',
  "test/support/probe-test.ts": 'import { startRecords } from "@tidings/records";',
  "services/records/src/probe-app.ts": 'import { startStandalone } from "@tidings/standalone";',
  "apps/standalone/src/probe-service.ts": 'import { startGateway } from "@tidings/gateway";',
  "apps/standalone/src/probe-tool.ts":
    'import { startLocalCluster } from "@tidings/local-cluster";',
};

let project: string;
let report: string;

/** The diagnostics of one probe: the rule names reported at its path. */
const rulesAt = (path: string) =>
  [...report.matchAll(new RegExp(`${path}:\\d+:\\d+ lint/[a-z]+/(\\w+)`, "g"))].map(
    (match) => match[1],
  );

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "tidings-layers-"));
  const manifests = ["package.json", ...new Set(Object.keys(PROBES).map(packageOf))];
  cpSync(join(ROOT, "biome.json"), join(project, "biome.json"));
  for (const manifest of manifests) {
    mkdirSync(dirname(join(project, manifest)), { recursive: true });
    cpSync(join(ROOT, manifest), join(project, manifest));
  }
  for (const [path, line] of Object.entries(PROBES)) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    const name = /import \{ (\w+) \}/.exec(line)?.[1];
    writeFileSync(join(project, path), `${line}\n\nexport const probe = ${name};\n`);
  }
  // Biome exits 1 when it reports errors; the report is what the tests read.
  const lint = await run(BIOME, ["lint", "--vcs-enabled=false", "--max-diagnostics=100", "."], {
    cwd: project,
  }).catch((error: { stdout: string; stderr: string }) => error);
  report = `${lint.stdout}\n${lint.stderr}`;
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function packageOf(path: string): string {
  const [top, name] = path.split("/");
  return top === "test" ? "test/package.json" : `${top}/${name}/package.json`;
}

describe("import rules (biome.json)", () => {
  it("a service importing another service fails the lint", () => {
    expect(rulesAt("services/gateway/src/probe-service.ts")).toContain("noRestrictedImports");
  });

  it("a library importing a service fails the lint", () => {
    expect(rulesAt("libs/collections/src/probe-service.ts")).toContain("noRestrictedImports");
  });

  it("a service importing an app, and an app importing the local cluster, fail the lint", () => {
    expect(rulesAt("services/records/src/probe-app.ts")).toContain("noRestrictedImports");
    expect(rulesAt("apps/standalone/src/probe-tool.ts")).toContain("noRestrictedImports");
  });

  it("an app composing a declared service passes", () => {
    expect(rulesAt("apps/standalone/src/probe-service.ts")).toEqual([]);
  });

  it("a package importing a workspace package it does not declare fails the lint", () => {
    expect(rulesAt("libs/filter/src/probe-undeclared.ts")).toEqual(["noUndeclaredDependencies"]);
  });

  it("a service importing a declared library, and a cross-service test importing a service, pass", () => {
    expect(rulesAt("services/gateway/src/probe-lib.ts")).toEqual([]);
    expect(rulesAt("test/support/probe-test.ts")).toEqual([]);
  });
});
