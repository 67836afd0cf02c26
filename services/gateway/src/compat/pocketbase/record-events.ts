import type { AuthUser } from "@tidings/auth";
import type { CollectionDef, RecordJson } from "@tidings/collections";
import { type ExpandPlan, expandRecords, pickFields, resolveExpand } from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import { type ChangeAction, TidingsError } from "@tidings/protocol";
import type { RecordTopic } from "./topics.ts";

/** The actions of PocketBase's record events. */
export type PocketBaseAction = "create" | "update" | "delete";

/**
 * Tidings' change actions as PocketBase clients know them. A record that enters the subscriber's
 * view (an update made it match) is an `update`; one that leaves it sends nothing, as PocketBase
 * sends nothing to a subscriber who can no longer see the record.
 */
const ACTIONS: Partial<Record<ChangeAction, PocketBaseAction>> = {
  created: "create",
  updated: "update",
  entered: "update",
  deleted: "delete",
};

/** The PocketBase action for a change, or undefined when nothing is sent (`left`). */
export function pocketBaseAction(action: ChangeAction): PocketBaseAction | undefined {
  return ACTIONS[action];
}

/**
 * The record of an event as the topic's options ask: relations expanded as the subscriber may see
 * them now (under the current rules), then narrowed to `fields`. An expansion the collection no
 * longer allows (the relation field was removed) is skipped rather than failing the event.
 */
export async function presentRecord(
  prisma: PrismaClient,
  collection: CollectionDef,
  topic: RecordTopic,
  record: Record<string, unknown>,
  auth: AuthUser | null,
): Promise<unknown> {
  let shown: unknown = record;
  if (topic.expand) {
    const plan: ExpandPlan = await resolveExpand(prisma, collection, topic.expand).catch(
      (error: unknown) => {
        if (error instanceof TidingsError) return [];
        throw error;
      },
    );
    [shown] = await expandRecords(prisma, plan, [record as RecordJson], {
      auth,
      now: new Date(),
    });
  }
  return topic.fields ? pickFields(shown, topic.fields) : shown;
}
