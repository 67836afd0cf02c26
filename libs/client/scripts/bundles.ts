import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";

/** The package's folder: every path below is relative to it. */
export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** One output of the build. */
export interface Bundle {
  /** Where it is written, relative to the package. */
  file: string;
  /** What it is for, as the size report names it. */
  label: string;
  options: BuildOptions;
}

const common = {
  absWorkingDir: PACKAGE_DIR,
  entryPoints: ["src/index.ts"],
  bundle: true,
  // Browsers of 2022 on, and Node 20: private fields and `??=` stay as written.
  target: "es2022",
  logLevel: "warning",
} satisfies BuildOptions;

/**
 * The module for Node and bundlers: one file, the protocol's few values inlined, socket.io-client
 * left as the package's dependency so an app's bundler shares it with anything else that uses it.
 */
export const MODULE: Bundle = {
  file: "dist/index.js",
  label: "index.js (Node and bundlers; socket.io-client external)",
  options: { ...common, format: "esm", platform: "neutral", external: ["socket.io-client"] },
};

// The browser builds carry socket.io-client (its browser build, without `debug`): a plain page
// loads one file, from the server's /sdk/ path or a CDN, with nothing to resolve.
const browser = { ...common, platform: "browser", minify: true } satisfies BuildOptions;

/** `<script type="module">`: `import { createClient } from "…/tidings-client.js"`. */
export const BROWSER_MODULE: Bundle = {
  file: "dist/browser/tidings-client.js",
  label: "browser/tidings-client.js (ESM, socket.io-client included)",
  options: { ...browser, format: "esm" },
};

/** A classic `<script>`: the exports on the global `Tidings`. */
export const BROWSER_SCRIPT: Bundle = {
  file: "dist/browser/tidings-client.iife.js",
  label: "browser/tidings-client.iife.js (script tag, global Tidings)",
  options: { ...browser, format: "iife", globalName: "Tidings" },
};

/** Everything `npm run build` writes besides the types. */
export const BUNDLES: readonly Bundle[] = [MODULE, BROWSER_MODULE, BROWSER_SCRIPT];
