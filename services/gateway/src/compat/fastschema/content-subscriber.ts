import type { IncomingMessage } from "node:http";
import type { TokenService } from "@tidings/auth";
import { newId } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { tokenCredential } from "../../connections/credentials.ts";
import { type CompatDeps, CompatSession } from "../compat-session.ts";
import { ContentRefusal, refusalReason } from "./close-reasons.ts";
import { type ContentMessage, contentMessage } from "./content-message.ts";
import { type ContentQuery, parseContentQuery } from "./content-query.ts";
import { requestToken } from "./request-token.ts";

/** A FastSchema client's subscription, active before its WebSocket opens. */
export interface ContentSubscriber {
  readonly session: CompatSession;
  readonly query: ContentQuery;
  /** When the client's token expires (epoch ms); null for a guest. */
  readonly expiresAt: number | null;
  /** Where messages go from now on; those that came before are handed over first. */
  forward(to: (message: ContentMessage) => void): void;
  /** What to do once the token is revoked (at once if it already was): close the socket. */
  whenRevoked(close: () => void): void;
}

/**
 * Authenticates a FastSchema realtime request and subscribes it, through the same planning and
 * rooms as Socket.IO clients, so that changes flow from the moment its WebSocket opens. A token
 * that does not verify is refused (FastSchema would treat the client as a guest; Tidings' REST
 * API refuses it, and so does this). Throws {@link ContentRefusal} with the reason to close with.
 */
export async function subscribeContent(
  deps: { compat: CompatDeps; tokens: TokenService },
  request: IncomingMessage,
): Promise<ContentSubscriber> {
  let schema = "";
  let session: CompatSession | undefined;
  try {
    const query = parseContentQuery(request.url ?? "/");
    schema = query.schema;
    const token = requestToken(request);
    const verified = token === undefined ? undefined : await deps.tokens.verify(token);
    const early: ContentMessage[] = [];
    let forward: (message: ContentMessage) => void = (message) => early.push(message);
    let revoked = false;
    let onRevoked = () => {
      revoked = true;
    };
    const options = { single: query.id !== null, select: query.select };
    session = new CompatSession(
      deps.compat,
      { id: newId(20), protocol: "fastschema", onRevoked: () => onRevoked() },
      (_subscription, change) => {
        const message = contentMessage(change, options);
        if (message) forward(message);
      },
    );
    if (verified && token)
      session.signIn(verified.user, tokenCredential(deps.tokens, token, verified.user.id));
    await session.open();
    await session.subscribe(query.schema, {
      recordId: query.id,
      filter: query.filter,
      filterSyntax: "fastschema",
      events: query.actions,
      select: query.select,
    });
    return {
      session,
      query,
      expiresAt: verified?.expiresAt ?? null,
      forward(to) {
        forward = to;
        for (const message of early.splice(0)) to(message);
      },
      whenRevoked(close) {
        onRevoked = close;
        if (revoked) close();
      },
    };
  } catch (error) {
    await session?.close();
    if (!(error instanceof ContentRefusal || error instanceof TidingsError)) {
      deps.compat.logger.error({ err: error }, "fastschema: subscribing failed");
    }
    throw new ContentRefusal(refusalReason(error, { schema, signedIn: session?.auth != null }), {
      cause: error,
    });
  }
}
