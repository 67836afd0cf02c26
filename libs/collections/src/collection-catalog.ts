import type { PrismaClient } from "@tidings/db";
import { ChangeCache, type ChangeNotices } from "@tidings/service";
import { type CollectionDef, collectionFromRow } from "./collection.ts";
import { type CompiledRules, compileRules } from "./collection-rules.ts";

/** A collection with its rules compiled, as requests, subscriptions and evaluators read it. */
export interface KnownCollection {
  readonly def: CollectionDef;
  readonly rules: CompiledRules;
}

// Names and ids are separate key spaces: a collection may be named like another one's id.
const byName = (name: string) => `name:${name}`;
const byId = (id: string) => `id:${id}`;

/**
 * Collection definitions by name and by id, each with its rules compiled once, shared by every
 * request, subscription and evaluation of a process. Caching starts with {@link follow}: from then
 * on a change any replica announces ({@link CollectionCatalog.changed}) reaches this one.
 */
export class CollectionCatalog {
  readonly #cache: ChangeCache<KnownCollection>;

  constructor(prisma: PrismaClient) {
    this.#cache = new ChangeCache<KnownCollection>({
      topic: "collections",
      async load(key) {
        const at = key.indexOf(":");
        const value = key.slice(at + 1);
        const row = await prisma.collection.findUnique({
          where: key.slice(0, at) === "name" ? { name: value } : { id: value },
        });
        if (!row) return undefined;
        const def = collectionFromRow(row);
        return { def, rules: compileRules(def) };
      },
      keysOf: (known) => [byId(known.def.id), byName(known.def.name)],
    });
  }

  byName(name: string): Promise<KnownCollection | undefined> {
    return this.#cache.get(byName(name));
  }

  byId(id: string): Promise<KnownCollection | undefined> {
    return this.#cache.get(byId(id));
  }

  /** By name, or else by id (the realtime protocols accept either). */
  async byNameOrId(key: string): Promise<KnownCollection | undefined> {
    return (await this.byName(key)) ?? (await this.byId(key));
  }

  /** Starts caching, following the changes announced on `notices`; returns the stop function. */
  follow(notices: ChangeNotices): () => void {
    return this.#cache.follow(notices);
  }

  /** A collection was created, changed or deleted: every replica forgets it (see ChangeCache.changed). */
  changed(id: string): void {
    this.#cache.changed(byId(id));
  }

  /**
   * This process learned that its copy is older than the stored collection (a notice still on
   * its way): it reads the collection again on next use. Nothing is announced.
   */
  outdated(id: string): void {
    this.#cache.forget(byId(id));
  }

  /** Forgets every collection (after the database was emptied behind the services' backs). */
  forgetAll(): void {
    this.#cache.forget();
  }
}
