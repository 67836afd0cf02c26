#!/usr/bin/env node
// The project's test command: lint, type-check, build, then the vitest suite. CI reads no vitest
// summary, so the closing line is always `N passed, N failed` counting every step and test.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const resultsDir = join(root, ".test-results");
const resultsFile = join(resultsDir, "vitest.json");
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: "1",
};

let passed = 0;
let failed = 0;

function step(name, command, args) {
  console.log(`\n== ${name}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status === 0) passed += 1;
  else {
    failed += 1;
    console.log(`== ${name} FAILED (exit ${result.status ?? result.signal})`);
  }
}

step("lint", "npx", ["biome", "ci", "."]);
step("typecheck", "npx", ["turbo", "run", "typecheck", "--output-logs=errors-only"]);
// Built once before the suite: the tests that start dist/ entry points or pack the client then
// find turbo's cache hit instead of building the same packages side by side.
step("build", "npx", ["turbo", "run", "build", "--output-logs=errors-only"]);

rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
const extra = process.argv.slice(2);
console.log("\n== vitest");
const vitest = spawnSync(
  "npx",
  [
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${resultsFile}`,
    ...extra,
  ],
  { cwd: root, stdio: "inherit", env },
);
try {
  const report = JSON.parse(readFileSync(resultsFile, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A suite that fails to load has no tests to count; count it so it cannot pass silently.
  const brokenSuites = report.testResults.filter(
    (suite) => suite.status === "failed" && suite.assertionResults.length === 0,
  ).length;
  failed += brokenSuites;
  if (vitest.status !== 0 && report.numFailedTests === 0 && brokenSuites === 0) failed += 1;
} catch {
  failed += 1;
  console.log("== vitest produced no report");
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
