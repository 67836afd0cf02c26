import type { AuthUser } from "@tidings/auth";
import {
  buildSubscriptionSpec,
  type CollectionCatalog,
  type CollectionDef,
  type CompiledRules,
  type KnownCollection,
  ruleAllowsAny,
  type SubscriptionRequest,
  SYSTEM_FIELDS,
} from "@tidings/collections";
import { newId } from "@tidings/db";
import { type SubscriptionSpec, TidingsError } from "@tidings/protocol";

/** A subscription ready to be stored: its collection, rules and spec. */
export interface PlannedSubscription {
  collection: CollectionDef;
  rules: CompiledRules;
  spec: SubscriptionSpec;
}

/** The collection by name or id, if realtime is on for it (`NOT_FOUND`, `FORBIDDEN`). */
export async function findRealtimeCollection(
  collections: CollectionCatalog,
  nameOrId: string,
): Promise<KnownCollection> {
  const known = await collections.byNameOrId(nameOrId);
  if (!known) throw new TidingsError("NOT_FOUND", `There is no collection "${nameOrId}".`);
  if (!known.def.realtime)
    throw new TidingsError("FORBIDDEN", `Realtime is off for "${known.def.name}".`);
  return known;
}

// Hidden fields never leave the server, not even to superusers, so none can be selected.
function checkSelect(collection: CollectionDef, select: readonly string[] | undefined): void {
  const visible = new Set<string>(SYSTEM_FIELDS);
  for (const field of collection.fields) if (!field.hidden) visible.add(field.name);
  const unknown = (select ?? []).filter((name) => !visible.has(name));
  if (unknown.length > 0) {
    throw new TidingsError(
      "INVALID_MESSAGE",
      `select names fields the collection does not have: ${unknown.join(", ")}.`,
      {
        select: unknown,
      },
    );
  }
}

/**
 * Checks a subscription request completely before anything is stored, whatever the protocol it
 * came through: the collection exists and is realtime (`NOT_FOUND`, `FORBIDDEN`), the filter and
 * selected fields are valid (`INVALID_FILTER`, `INVALID_MESSAGE`), and the rules let this
 * subscriber see something at all (`FORBIDDEN`).
 */
export async function planSubscription(
  collections: CollectionCatalog,
  subscriber: { connectionId: string; auth: AuthUser | null },
  collectionName: string,
  request: SubscriptionRequest,
): Promise<PlannedSubscription> {
  const { def: collection, rules } = await findRealtimeCollection(collections, collectionName);
  const superuser = subscriber.auth?.role === "superuser";
  checkSelect(collection, request.select);
  const spec = buildSubscriptionSpec(
    collection,
    rules,
    { ...subscriber, superuser },
    request,
    newId(),
  );
  if (!ruleAllowsAny(rules, spec)) {
    throw new TidingsError(
      "FORBIDDEN",
      `The rules of "${collection.name}" let you see nothing here.`,
    );
  }
  return { collection, rules, spec };
}
