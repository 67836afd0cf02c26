import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { errorBody } from "@tidings/protocol";
import { type StaticAsset, sendAsset, staticAsset } from "@tidings/service";
import type { FastifyInstance } from "fastify";

/** Where the client SDK's browser builds are served (docs/protocol.md, "The TypeScript client"). */
const SDK_PATH = "/sdk/";

/**
 * The served files, by the names `@tidings/client`'s build gives them: the ES module
 * (`import { createClient } from "/sdk/tidings-client.js"`) and the script-tag build (global
 * `Tidings`). Both carry socket.io-client.
 */
const SDK_FILES = ["tidings-client.js", "tidings-client.iife.js"] as const;

/** Where `npm run build` writes the client's browser builds; undefined without the package. */
export function clientBrowserBuildDir(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve("@tidings/client/package.json");
    return join(dirname(manifest), "dist", "browser");
  } catch {
    return undefined;
  }
}

/**
 * `GET /sdk/<file>`: the client SDK's browser builds, for plain HTML pages and anything else that
 * does not install the npm package. Without a build (`npm start` on a fresh
 * clone) they answer 503 `UNAVAILABLE` saying so; the server starts all the same.
 */
export function serveSdk(app: FastifyInstance, options: { dir?: string } = {}): void {
  const dir = options.dir ?? clientBrowserBuildDir();
  const loaded = new Map<string, { mtimeMs: number; size: number; asset: StaticAsset }>();

  // Read on request, and again once the file changed: a server started before `npm run build`
  // serves the build as soon as it exists, and a rebuild replaces it without a restart.
  const load = async (name: string): Promise<StaticAsset | undefined> => {
    if (dir === undefined) return undefined;
    const path = join(dir, name);
    const file = await stat(path).catch(() => undefined);
    if (!file) return undefined;
    const known = loaded.get(name);
    if (known?.mtimeMs === file.mtimeMs && known.size === file.size) return known.asset;
    const asset = staticAsset(await readFile(path), "text/javascript; charset=utf-8");
    loaded.set(name, { mtimeMs: file.mtimeMs, size: file.size, asset });
    return asset;
  };

  for (const name of SDK_FILES)
    app.get(`${SDK_PATH}${name}`, async (request, reply) => {
      const asset = await load(name);
      if (asset) return sendAsset(request, reply, asset);
      const message =
        "The client SDK's browser build is missing; run `npm run build` on the server.";
      return reply.code(503).send(errorBody("UNAVAILABLE", message));
    });
}
