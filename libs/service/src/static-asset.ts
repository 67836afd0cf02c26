import { createHash } from "node:crypto";
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
