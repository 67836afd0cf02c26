import type { PrismaClient } from "@tidings/db";

/**
 * Notes the realtime subscription rows stored now and returns a counter of the rows stored since.
 * Earlier tests' clients may still be removing their own rows, so a plain count is not stable.
 */
export async function subscriptionRowsSince(prisma: PrismaClient): Promise<() => Promise<number>> {
  const ids = async () =>
    (await prisma.realtimeSubscription.findMany({ select: { id: true } })).map((row) => row.id);
  const earlier = new Set(await ids());
  return async () => (await ids()).filter((id) => !earlier.has(id)).length;
}
