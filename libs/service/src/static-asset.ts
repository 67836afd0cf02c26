import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";

/** A file served from memory, with the validator that lets browsers revalidate it. */
export interface StaticAsset {
  body: Buffer;
  /** Its `Content-Type`. */
  type: string;
  /** A strong ETag of the content. */
  etag: string;
}

/** `body` as an asset of content type `type`. */
export function staticAsset(body: Buffer, type: string): StaticAsset {
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
  return { body, type, etag };
}

/**
 * Answers `asset`, or 304 when the request already holds this version. Served names are not
 * fingerprinted, so every load revalidates (`no-cache`); an unchanged file costs a 304.
 */
export function sendAsset(
  request: FastifyRequest,
  reply: FastifyReply,
  asset: StaticAsset,
): FastifyReply {
  reply
    .header("cache-control", "no-cache")
    .header("etag", asset.etag)
    .header("x-content-type-options", "nosniff");
  if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
  return reply.type(asset.type).send(asset.body);
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/**
 * The files of a page's folder by name, read once: HTML, scripts, style sheets and source maps
 * only, so editor leftovers and the like are never served.
 */
export async function loadAssetDir(dir: string): Promise<Map<string, StaticAsset>> {
  const assets = new Map<string, StaticAsset>();
  for (const name of (await readdir(dir)).sort()) {
    const type = CONTENT_TYPES[extname(name)];
    if (type) assets.set(name, staticAsset(await readFile(join(dir, name)), type));
  }
  return assets;
}

/**
 * The Content-Security-Policy of the pages the servers serve: they load only their own files and
 * talk only to their own origin (REST, and the WebSocket: CSP 3 lets 'self' match ws:/wss: of the
 * host). No inline script or style, no framing.
 */
export const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Answers a page: {@link sendAsset} with {@link PAGE_POLICY} and no referrer. */
export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  asset: StaticAsset,
): FastifyReply {
  reply.header("content-security-policy", PAGE_POLICY).header("referrer-policy", "no-referrer");
  return sendAsset(request, reply, asset);
}
