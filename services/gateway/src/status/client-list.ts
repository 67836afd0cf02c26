import type { CollectionCatalog } from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import type { ClientInfo } from "@tidings/service";
import { transportOf } from "../realtime/gateway-gauges.ts";
import type { GatewayServer } from "../realtime/socket-types.ts";

/** Bytes of client entries one answer carries at most: a bus notice must stay well under 1 MiB. */
const MAX_ANSWER_BYTES = 512 * 1024;

/** What a gateway lists when asked which clients it holds. */
export interface ClientList {
  clients: ClientInfo[];
  /** More clients are connected than are listed (over the limit, or the answer's size). */
  truncated: boolean;
}

/** What listing reads: the namespace, the connection rows, the collections' names. */
export interface ClientListDeps {
  io: GatewayServer;
  prisma: PrismaClient;
  collections: CollectionCatalog;
}

async function collectionNames(
  collections: CollectionCatalog,
  ids: Iterable<string>,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      names.set(id, (await collections.byId(id))?.def.name ?? id);
    }),
  );
  return names;
}

/**
 * The first `limit` connections of this node in the order they connected, every transport alike
 * (the members the connection gauges count), with their user, time and subscriptions as stored:
 * one read of their rows. No token, auth record or channel is included. A connection opening or
 * closing while this reads may be left out.
 */
export async function listClients(deps: ClientListDeps, limit: number): Promise<ClientList> {
  const members = [...deps.io.of("/").sockets.entries()];
  const shown = members.slice(0, limit);
  const rows = await deps.prisma.realtimeConnection.findMany({
    where: { id: { in: shown.map(([id]) => id) }, disconnectedAt: null },
    select: {
      id: true,
      userId: true,
      connectedAt: true,
      subscriptions: {
        select: { collectionId: true, recordId: true, filter: true },
        orderBy: { created: "asc" },
      },
    },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const names = await collectionNames(
    deps.collections,
    rows.flatMap((row) => row.subscriptions.map((subscription) => subscription.collectionId)),
  );
  const clients: ClientInfo[] = [];
  let truncated = members.length > limit;
  let bytes = 0;
  for (const [id, member] of shown) {
    const row = byId.get(id);
    if (!row) continue;
    const client: ClientInfo = {
      id,
      transport: transportOf(member),
      userId: row.userId,
      connectedAt: row.connectedAt.toISOString(),
      subscriptions: row.subscriptions.map(({ collectionId, recordId, filter }) => ({
        collection: names.get(collectionId) ?? collectionId,
        recordId,
        filter,
      })),
    };
    bytes += Buffer.byteLength(JSON.stringify(client));
    if (bytes > MAX_ANSWER_BYTES) {
      truncated = true;
      break;
    }
    clients.push(client);
  }
  return { clients, truncated };
}
