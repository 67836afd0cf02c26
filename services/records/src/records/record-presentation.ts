import {
  type CollectionDef,
  type ExpandPlan,
  expandRecords,
  type FieldsPick,
  parseExpand,
  parseFields,
  pickFields,
  type RecordJson,
  type Requester,
  resolveExpand,
} from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import { parseInput } from "@tidings/service";
import { z } from "zod";

const presentationQuery = z.object({
  expand: z.string().optional(),
  fields: z.string().optional(),
});

/** How a request wants its records shown: relations to expand, then fields to keep. */
export interface Presentation {
  expand: ExpandPlan;
  fields: FieldsPick | undefined;
}

/**
 * Reads `expand` and `fields` from a query and checks them against the collection, so a bad
 * one is refused (`VALIDATION_FAILED`) before anything is written.
 */
export async function readPresentation(
  prisma: PrismaClient,
  collection: CollectionDef,
  query: unknown,
): Promise<Presentation> {
  const q = parseInput(presentationQuery, query, "query");
  const tree = parseExpand(q.expand);
  return {
    expand: tree ? await resolveExpand(prisma, collection, tree) : [],
    fields: parseFields(q.fields),
  };
}

/** The records as the presentation asks: expanded for the requester, then narrowed to `fields`. */
export async function presentRecords(
  prisma: PrismaClient,
  presentation: Presentation,
  records: readonly RecordJson[],
  requester: Requester,
): Promise<unknown[]> {
  const expanded = await expandRecords(prisma, presentation.expand, records, requester);
  const { fields } = presentation;
  return fields ? expanded.map((record) => pickFields(record, fields)) : expanded;
}
