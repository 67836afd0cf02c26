import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type StaticAsset, sendAsset, staticAsset } from "@tidings/service";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The folder of the demo page: index.html and the files it loads. */
export const DEMO_PUBLIC_DIR = fileURLToPath(new URL("../public/", import.meta.url));

/** Where the page's own files are served; `/` is index.html. */
export const DEMO_ASSET_PREFIX = "/demo/";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

// The page loads only its own files and the Socket.IO client the server serves itself, and talks
// only to its own origin (REST and the WebSocket: CSP 3 lets 'self' match ws:/wss: of the host).
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

async function loadAssets(dir: string): Promise<Map<string, StaticAsset>> {
  const assets = new Map<string, StaticAsset>();
  for (const name of (await readdir(dir)).sort()) {
    const type = CONTENT_TYPES[extname(name)];
    if (!type) continue; // editor leftovers and the like are never served
    assets.set(name, staticAsset(await readFile(join(dir, name)), type));
  }
  if (!assets.has("index.html")) throw new Error(`the demo page has no index.html in ${dir}`);
  return assets;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: StaticAsset, page: boolean) {
  if (page)
    reply.header("content-security-policy", PAGE_POLICY).header("referrer-policy", "no-referrer");
  return sendAsset(request, reply, asset);
}

/**
 * The live-view demo of the single-node server: `GET /` answers index.html and
 * `GET /demo/<file>` the other files of `dir` (read once, at registration). Nothing else is
 * routed, so `/api` and `/socket.io` are untouched.
 */
export async function demoPage(
  app: FastifyInstance,
  options: { dir?: string } = {},
): Promise<void> {
  const assets = await loadAssets(options.dir ?? DEMO_PUBLIC_DIR);
  const index = assets.get("index.html")!;
  app.get("/", (request, reply) => send(request, reply, index, true));
  for (const [name, asset] of assets) {
    if (name === "index.html") continue;
    app.get(`${DEMO_ASSET_PREFIX}${name}`, (request, reply) => send(request, reply, asset, false));
  }
}
