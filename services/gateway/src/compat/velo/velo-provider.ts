import { toAuthUser } from "@tidings/auth";
import type { PrismaClient } from "@tidings/db";
import { type ChangeAction, TidingsError } from "@tidings/protocol";
import type { ChannelProvider, PusherEvent } from "../pusher/channel-provider.ts";
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
 * guest's), and on subscribe a subscription of the connection's session to the channel's
 * collection and filter, under the collection's list rule with that user's auth.
 */
export function veloProvider(
  prisma: PrismaClient,
  channels: VeloChannels,
  settings: VeloSettings,
): ChannelProvider {
  return {
    owns: (channel) => channels.idOf(channel) !== undefined,
    async authorize(channel, auth) {
      const found = await channels.use(channels.idOf(channel) ?? "");
      if (!found) throw expired();
      if (found.userId !== null && found.userId !== auth?.id)
        throw new TidingsError("FORBIDDEN", "This channel was issued to another user.");
    },
    async subscribe(session, channel) {
      const found = await channels.use(channels.idOf(channel) ?? "");
      if (!found) throw expired();
      if (found.userId !== null) {
        const row = await prisma.user.findUnique({ where: { id: found.userId } });
        if (!row) throw new TidingsError("FORBIDDEN", "The user of this channel no longer exists.");
        // Rules read the session's auth: one connection serves one user's channels.
        if (session.auth !== null && session.auth.id !== row.id)
          throw new TidingsError("FORBIDDEN", "This connection serves another user's channels.");
        session.auth = toAuthUser(row);
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
