import type { FilterSyntax, SubscribableAction, SubscriptionSpec } from "@tidings/protocol";
import type { CollectionDef } from "./collection.ts";
import type { CompiledRules } from "./collection-rules.ts";
import { channelOf } from "./subscription-groups.ts";

/** What a client asks for when it subscribes, once validated. */
export interface SubscriptionRequest {
  recordId?: string | null | undefined;
  filter?: string | null | undefined;
  filterSyntax?: FilterSyntax | undefined;
  events?: readonly SubscribableAction[] | undefined;
  select?: readonly string[] | undefined;
}

/** Who subscribes: the auth record rules read, and whether rules bind them. */
export interface Subscriber {
  connectionId: string;
  auth: Record<string, unknown> | null;
  superuser: boolean;
}

/**
 * The spec of a new subscription, with its channel computed under the collection's current rules.
 * Throws `INVALID_FILTER` for a filter that does not parse or names unknown (or, for non-superusers,
 * hidden) fields.
 */
export function buildSubscriptionSpec(
  collection: CollectionDef,
  rules: CompiledRules,
  subscriber: Subscriber,
  request: SubscriptionRequest,
  id: string,
): SubscriptionSpec {
  const filter = request.filter?.trim() ? request.filter : null;
  const spec: SubscriptionSpec = {
    id,
    connectionId: subscriber.connectionId,
    collectionId: collection.id,
    recordId: request.recordId ?? null,
    filter,
    filterSyntax: request.filterSyntax ?? "pocketbase",
    events: [...new Set(request.events ?? [])],
    select: [...new Set(request.select ?? [])],
    auth: subscriber.auth,
    superuser: subscriber.superuser,
    channel: "",
    rulesVersion: collection.updated,
  };
  spec.channel = channelOf(collection, rules, spec);
  return spec;
}
