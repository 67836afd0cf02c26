import { userCache } from "@tidings/auth";
import type { Database, User } from "@tidings/db";
import type { ChangeCache, ChangeNotices } from "@tidings/service";
import { CollectionCatalog } from "./collection-catalog.ts";

/**
 * What every request, connection and subscription reads and almost nothing changes: collection
 * definitions with their compiled rules, and the users behind tokens. One set per process, shared
 * by the services it runs.
 */
export interface SharedCaches {
  collections: CollectionCatalog;
  users: ChangeCache<User>;
}

/** Caches over the database; they keep nothing until {@link followChanges} is called. */
export function createSharedCaches(db: Pick<Database, "prisma" | "sql">): SharedCaches {
  return { collections: new CollectionCatalog(db.prisma), users: userCache(db.sql) };
}

/**
 * Starts caching, following the changes every replica announces on the bus (`notices`), so a
 * rule change or a revoked token applies everywhere within milliseconds. Returns the stop function.
 */
export function followChanges(caches: SharedCaches, notices: ChangeNotices): () => void {
  const stops = [caches.collections.follow(notices), caches.users.follow(notices)];
  return () => {
    for (const stop of stops) stop();
  };
}
