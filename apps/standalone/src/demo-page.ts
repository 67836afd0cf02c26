import { fileURLToPath } from "node:url";
import { loadAssetDir, sendAsset, sendPage } from "@tidings/service";
import type { FastifyInstance } from "fastify";

/** The folder of the demo page: index.html and the files it loads. */
export const DEMO_PUBLIC_DIR = fileURLToPath(new URL("../public/", import.meta.url));

/** Where the page's own files are served; `/` is index.html. */
export const DEMO_ASSET_PREFIX = "/demo/";

/**
 * The live-view demo of the single-node server: `GET /` answers index.html and
 * `GET /demo/<file>` the other files of `dir` (read once, at registration). Nothing else is
 * routed, so `/api` and `/socket.io` are untouched.
 */
export async function demoPage(
  app: FastifyInstance,
  options: { dir?: string } = {},
): Promise<void> {
  const dir = options.dir ?? DEMO_PUBLIC_DIR;
  const assets = await loadAssetDir(dir);
  const index = assets.get("index.html");
  if (!index) throw new Error(`the demo page has no index.html in ${dir}`);
  app.get("/", (request, reply) => sendPage(request, reply, index));
  for (const [name, asset] of assets) {
    if (name === "index.html") continue;
    app.get(`${DEMO_ASSET_PREFIX}${name}`, (request, reply) => sendAsset(request, reply, asset));
  }
}
