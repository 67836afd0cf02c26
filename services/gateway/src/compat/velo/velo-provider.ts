import { type TokenService, toAuthUser } from "@tidings/auth";
import type { PrismaClient } from "@tidings/db";
import { type ChangeAction, TidingsError } from "@tidings/protocol";
import type { ChannelProvider, PusherEvent } from "../pusher/channel-provider.ts";
import { readSignedUser, signedCredential, signedUser } from "../pusher/signed-user.ts";
import type { VeloChannels } from "./velo-channels.ts";
import type { VeloSettings } from "./velo-env.ts";

// Velo evaluates a change against the new record only: a record that comes into view is an
// update the subscriber can now see, one that goes out of view sends nothing (not its content,
// which the subscriber may no longer read, and not a `deleted` that did not happen).
const VELO_ACTION: Record<ChangeAction, "created" | "updated" | "deleted" | undefined> = {
  created: "created",
  updated: "updated",
  deleted: "deleted",
  entered: "updated",
  left: undefined,
};

function expired(): TidingsError {
  return new TidingsError("NOT_FOUND", "This channel is unknown or has expired; subscribe again.");
}

/**
 * `private-<prefix><uuid>`: signed only for the user the channel was issued to (anyone, for a
 * guest's), with the user's key fingerprint as channel data; on subscribe a subscription of the
 * connection's session to the channel's collection and filter, under the collection's list rule
 * with that user's auth, for as long as the user's tokens are not revoked.
 */
export function veloProvider(
  prisma: PrismaClient,
  tokens: TokenService,
  channels: VeloChannels,
  settings: VeloSettings,
): ChannelProvider {
  return {
    owns: (channel) => channels.idOf(channel) !== undefined,
    async authorize(channel, auth) {
      const found = await channels.use(channels.idOf(channel) ?? "");
      if (!found) throw expired();
      if (found.userId === null) return undefined;
      if (found.userId !== auth?.id)
        throw new TidingsError("FORBIDDEN", "This channel was issued to another user.");
      return JSON.stringify(await signedUser(tokens, auth));
    },
    async subscribe(session, channel, channelData) {
      const found = await channels.use(channels.idOf(channel) ?? "");
      if (!found) throw expired();
      if (found.userId !== null) {
        const row = await prisma.user.findUnique({ where: { id: found.userId } });
        if (!row) throw new TidingsError("FORBIDDEN", "The user of this channel no longer exists.");
        // Rules read the session's auth: one connection serves one user's channels.
        if (session.auth !== null && session.auth.id !== row.id)
          throw new TidingsError("FORBIDDEN", "This connection serves another user's channels.");
        const signed = readSignedUser(channelData);
        if (signed && signed.user_id !== row.id)
          throw new TidingsError("FORBIDDEN", "This channel was signed for another user.");
        session.signIn(
          toAuthUser(row),
          await signedCredential(tokens, row.id, signed?.key_fingerprint),
        );
      }
      return session.subscribe(found.collectionId, {
        filter: found.filter,
        filterSyntax: "pocketbase",
      });
    },
    events(change) {
      const action = VELO_ACTION[change.action];
      if (!action) return [];
      const data = { action, record: change.record };
      const names =
        settings.eventNames === "actions"
          ? [action]
          : settings.eventNames === "server.message"
            ? ["server.message"]
            : [action, "server.message"];
      return names.map((event): PusherEvent => ({ event, data }));
    },
  };
}
