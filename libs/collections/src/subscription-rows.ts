import type { RealtimeSubscription } from "@tidings/db";
import { type SubscriptionSpec, subscriptionSpecSchema } from "@tidings/protocol";

/** A stored subscription as the spec gateways announce and evaluators index. */
export function specFromRow(row: RealtimeSubscription): SubscriptionSpec {
  return subscriptionSpecSchema.parse({
    id: row.id,
    connectionId: row.connectionId,
    collectionId: row.collectionId,
    recordId: row.recordId,
    filter: row.filter,
    filterSyntax: row.filterSyntax,
    events: row.events,
    select: row.select,
    auth: row.auth ?? null,
    superuser: row.superuser,
    channel: row.channel,
    rulesVersion: row.rulesVersion,
  });
}

/** The columns that store a spec. */
export function rowFromSpec(spec: SubscriptionSpec, userId: string | null) {
  return {
    id: spec.id,
    connectionId: spec.connectionId,
    userId,
    collectionId: spec.collectionId,
    recordId: spec.recordId,
    filter: spec.filter,
    filterSyntax: spec.filterSyntax,
    events: spec.events,
    select: spec.select,
    auth: (spec.auth ?? undefined) as Record<string, string> | undefined,
    superuser: spec.superuser,
    channel: spec.channel,
    rulesVersion: spec.rulesVersion,
  };
}
