import type { IncomingMessage } from "node:http";
import { tokenFromHeader } from "@tidings/auth";

/** The subprotocol FastSchema's clients offer, followed by the token, and the server selects. */
export const AUTH_SUBPROTOCOL = "Authorization";

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function cookieToken(header: string | undefined): string | undefined {
  for (const pair of (header ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at < 0 || pair.slice(0, at).trim() !== "token") continue;
    const raw = pair
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    try {
      return decodeURIComponent(raw) || undefined;
    } catch {
      return raw || undefined;
    }
  }
  return undefined;
}

// Node's `ws` sends `Authorization,<t>`, browsers `Authorization, <t>`.
function subprotocolToken(header: string | undefined): string | undefined {
  const offered = (header ?? "").split(",").map((item) => item.trim());
  const at = offered.indexOf(AUTH_SUBPROTOCOL);
  return at < 0 ? undefined : offered[at + 1] || undefined;
}

/**
 * The token of a FastSchema realtime request, from the first source that has one, in FastSchema's
 * order: `Authorization: Bearer`, `X-Auth-Token`, the `token` cookie, then the subprotocol list
 * `Authorization,<token>`.
 */
export function requestToken(request: IncomingMessage): string | undefined {
  const headers = request.headers;
  return (
    tokenFromHeader(headers.authorization) ??
    (first(headers["x-auth-token"])?.trim() || undefined) ??
    cookieToken(headers.cookie) ??
    subprotocolToken(headers["sec-websocket-protocol"])
  );
}

/**
 * The subprotocol to select (for `ws`'s `handleProtocols`): `Authorization` when the client
 * offered it — it fails the handshake otherwise — and none when it did not.
 */
export function selectSubprotocol(offered: Set<string>): string | false {
  return offered.has(AUTH_SUBPROTOCOL) ? AUTH_SUBPROTOCOL : false;
}
