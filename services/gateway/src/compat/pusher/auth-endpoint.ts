import { type AuthUser, type TokenService, tokenFromHeader } from "@tidings/auth";
import { TidingsError } from "@tidings/protocol";
import type { Logger } from "@tidings/service";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ChannelAccess } from "../../presence/channel-access.ts";
import type { ChannelProvider } from "./channel-provider.ts";
import { signChannel } from "./channel-signature.ts";
import { acceptFormBodies } from "./form-body.ts";
import type { PusherApp } from "./pusher-env.ts";
import { channelKind, pusherChannel, socketIdSchema } from "./pusher-wire.ts";
import { signedUser } from "./signed-user.ts";

/** What the channel authorization endpoint is built on. */
export interface AuthEndpointDeps {
  apps: ReadonlyMap<string, PusherApp>;
  tokens: TokenService;
  access: ChannelAccess;
  providers: readonly ChannelProvider[];
  logger: Logger;
}

/** Where Laravel Echo (`/broadcasting/auth`) and Velo (`/api/broadcasting/auth`) ask. */
export const AUTH_PATHS = ["/broadcasting/auth", "/api/broadcasting/auth"] as const;

const authRequest = z.object({
  socket_id: socketIdSchema,
  channel_name: pusherChannel,
  /** Which app signs, when several are configured (default: the first). */
  app_key: z.string().optional(),
});

/** A signed authorization, as pusher-js expects it. */
export interface ChannelAuthorization {
  auth: string;
  channel_data?: string;
}

/** The user of a request's bearer token, null without one; `UNAUTHORIZED` for a bad one. */
export async function requester(
  tokens: TokenService,
  header: string | undefined,
): Promise<AuthUser | null> {
  const token = tokenFromHeader(header);
  return token ? (await tokens.verify(token)).user : null;
}

/**
 * Signs `channel` for `socketId` if `user` may join it: presence and plain private channels by the
 * gateway's channel access policy (presence needs a signed-in user: its id and name become the
 * member), provider channels by the provider. What is signed for a user names the user's token key
 * (`key_fingerprint`): revoking the user's tokens revokes the channel too.
 */
export async function authorizeChannel(
  deps: AuthEndpointDeps,
  app: PusherApp,
  user: AuthUser | null,
  socketId: string,
  channel: string,
): Promise<ChannelAuthorization> {
  const kind = channelKind(channel);
  if (kind === "public")
    throw new TidingsError("FORBIDDEN", "Public channels need no authorization.");
  if (kind === "encrypted")
    throw new TidingsError("FORBIDDEN", "Encrypted channels are not supported.");
  if (kind === "presence") {
    await deps.access("presence", channel, user);
    if (!user) throw new TidingsError("FORBIDDEN", "Sign in to join presence channels.");
    const channelData = JSON.stringify({
      ...(await signedUser(deps.tokens, user)),
      user_info: { id: user.id, name: user.name },
    });
    return { auth: signChannel(app, socketId, channel, channelData), channel_data: channelData };
  }
  const provider = deps.providers.find((candidate) => candidate.owns(channel));
  if (!provider) {
    await deps.access("broadcast", channel, user);
    return { auth: signChannel(app, socketId, channel) };
  }
  const channelData = await provider.authorize(channel, user);
  if (channelData === undefined) return { auth: signChannel(app, socketId, channel) };
  return { auth: signChannel(app, socketId, channel, channelData), channel_data: channelData };
}

/**
 * `POST /broadcasting/auth` and `/api/broadcasting/auth`: form-encoded (or JSON) `socket_id` and
 * `channel_name`, the user from the bearer token. 200 `{auth[, channel_data]}`, anything else 403
 * `{message}`, as Laravel answers.
 */
export async function registerAuthEndpoint(
  app: FastifyInstance,
  deps: AuthEndpointDeps,
): Promise<void> {
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const input = authRequest.safeParse(request.body ?? {});
      if (!input.success)
        throw new TidingsError("VALIDATION_FAILED", "socket_id and channel_name are required.");
      const { socket_id, channel_name, app_key } = input.data;
      const signer =
        app_key === undefined ? deps.apps.values().next().value : deps.apps.get(app_key);
      if (!signer) throw new TidingsError("NOT_FOUND", "No such Pusher app.");
      const user = await requester(deps.tokens, request.headers.authorization);
      return await authorizeChannel(deps, signer, user, socket_id, channel_name);
    } catch (error) {
      if (!(error instanceof TidingsError))
        deps.logger.error({ err: error }, "pusher: channel authorization failed");
      const message = error instanceof TidingsError ? error.message : "Forbidden.";
      return reply.status(403).send({ message });
    }
  };
  await app.register(async (scope) => {
    acceptFormBodies(scope);
    // The server's input checks refuse a body before `handle` reads it: answered as it answers.
    scope.setErrorHandler((error, _request, reply) => {
      if (!(error instanceof TidingsError)) throw error;
      return reply.status(403).send({ message: error.message });
    });
    for (const path of AUTH_PATHS) scope.post(path, handle);
  });
}
