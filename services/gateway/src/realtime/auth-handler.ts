import type { TokenService } from "@tidings/auth";
import { TidingsError } from "@tidings/protocol";
import { z } from "zod";
import type { MessageHandler } from "./message-router.ts";
import type { GatewaySocket } from "./socket-types.ts";

/** The `auth` message: a fresh token for the live connection. */
export const authMessage = z.strictObject({ token: z.string().min(1).max(8_192) });

/**
 * `auth`: replaces the connection's token (refresh). The new token must be for the same user, or
 * turn an anonymous connection into a signed-in one: subscriptions were judged for their subscriber.
 */
export function authHandler(
  tokens: TokenService,
  hooks: {
    /** An anonymous connection signs in: count it against the user's connection limit. */
    signIn(socketId: string, userId: string): Promise<void>;
    /** The token changed: watch the new expiry instead of `previousExpiresAt`, and the new token. */
    renewed(socket: GatewaySocket, previousExpiresAt: number | null): void;
  },
): MessageHandler<z.infer<typeof authMessage>> {
  return {
    schema: authMessage,
    async handle(socket, { token }) {
      const { user, expiresAt } = await tokens.verify(token);
      const current = socket.data.auth;
      if (current && current.id !== user.id) {
        throw new TidingsError(
          "FORBIDDEN",
          "A connection's token can only be renewed for the same user.",
        );
      }
      if (!current) await hooks.signIn(socket.id, user.id);
      const previous = socket.data.expiresAt;
      socket.data.auth = user;
      socket.data.expiresAt = expiresAt;
      socket.data.token = token;
      hooks.renewed(socket, previous);
      return { expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() };
    },
  };
}
