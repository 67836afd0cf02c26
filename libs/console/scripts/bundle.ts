// `npm run bundle -w @tidings/console` (and the root `prepare`, so `npm install` leaves a working
// console behind): the browser app under src/app, bundled by esbuild into dist/public next to the
// page and style sheet it loads. Nothing is fetched at build or run time.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { CONSOLE_PUBLIC_DIR } from "../src/console-files.ts";

const source = new URL("../src/app/", import.meta.url).pathname;

await rm(CONSOLE_PUBLIC_DIR, { recursive: true, force: true });
await mkdir(CONSOLE_PUBLIC_DIR, { recursive: true });
await build({
  entryPoints: [join(source, "main.tsx")],
  outfile: join(CONSOLE_PUBLIC_DIR, "console.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  // The workspace's packages are bundled from their source, as the services run them.
  conditions: ["@tidings/source"],
  jsx: "automatic",
  jsxImportSource: "preact",
  logLevel: "warning",
});
await copyFile(join(source, "index.html"), join(CONSOLE_PUBLIC_DIR, "index.html"));
await copyFile(join(source, "console.css"), join(CONSOLE_PUBLIC_DIR, "console.css"));
