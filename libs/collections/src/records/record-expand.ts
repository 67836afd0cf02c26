import { isSuperuser, toAuthUser } from "@tidings/auth";
import type { Prisma, PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import type { CollectionDef } from "../collection.ts";
import { type CompiledRules, compileRules } from "../collection-rules.ts";
import { findCollection } from "../find-collection.ts";
import { projectRecord, type RecordJson, toRecordJson } from "../record-shape.ts";
import { type Gate, gateConditions, type Requester } from "./record-access.ts";
import { findRecords } from "./record-queries.ts";
import { USERS_COLLECTION, userRecord } from "./user-records.ts";

type Db = PrismaClient | Prisma.TransactionClient;

/** Relation paths to expand, as a tree: `author,tags.owner` → {author: {}, tags: {owner: {}}}. */
export type ExpandTree = Map<string, ExpandTree>;

/** Longest `expand` text accepted. */
export const MAX_EXPAND_LENGTH = 2_000;
/** Deepest relation path expanded (as PocketBase: 6). */
export const MAX_EXPAND_DEPTH = 6;
const NAME = /^[A-Za-z0-9_]{1,64}$/;
// Ids bound per query, well below PostgreSQL's limit of bound parameters.
const IDS_PER_QUERY = 1_000;

/** One relation field to expand, resolved against the collections as they are now. */
interface ExpandStep {
  field: string;
  multiple: boolean;
  target:
    | { kind: "users" }
    | { kind: "records"; collection: CollectionDef; rules: CompiledRules; nested: ExpandPlan };
}

/** What {@link resolveExpand} makes of a tree: the steps, with their target collections. */
export type ExpandPlan = ExpandStep[];

function invalid(message: string): TidingsError {
  return new TidingsError("VALIDATION_FAILED", "The query has invalid or missing values.", {
    expand: { code: "invalid_expand", message },
  });
}

/**
 * Parses `expand`: comma-separated relation fields, dotted for relations of the expanded records
 * (`author,tags.owner`), at most {@link MAX_EXPAND_DEPTH} deep. Blank means none (undefined).
 */
export function parseExpand(text: string | undefined): ExpandTree | undefined {
  if (text === undefined || !text.trim()) return undefined;
  if (text.length > MAX_EXPAND_LENGTH) throw invalid(`at most ${MAX_EXPAND_LENGTH} characters`);
  const root: ExpandTree = new Map();
  for (const entry of text.split(",")) {
    const path = entry.trim();
    if (!path) continue;
    const segments = path.split(".");
    if (segments.length > MAX_EXPAND_DEPTH)
      throw invalid(`"${path.slice(0, 100)}" is deeper than ${MAX_EXPAND_DEPTH} relations`);
    if (!segments.every((segment) => NAME.test(segment)))
      throw invalid(`"${path.slice(0, 100)}" is not a relation field or dotted path of them`);
    let node = root;
    for (const segment of segments) {
      const next = node.get(segment) ?? new Map();
      node.set(segment, next);
      node = next;
    }
  }
  return root.size > 0 ? root : undefined;
}

/**
 * Checks a tree against the collections (every name a visible relation field of a stored
 * collection or of `users`; `VALIDATION_FAILED` on `expand` otherwise) and loads what expanding
 * needs. Resolve again when rules may have changed: expansion obeys the rules of the moment.
 */
export async function resolveExpand(
  db: Db,
  collection: CollectionDef,
  tree: ExpandTree,
): Promise<ExpandPlan> {
  const plan: ExpandPlan = [];
  for (const [name, nested] of tree) {
    const field = collection.fields.find((candidate) => candidate.name === name);
    if (field?.type !== "relation" || field.hidden || !field.collection)
      throw invalid(`"${name}" is not a relation field of "${collection.name}"`);
    const multiple = field.multiple === true;
    if (field.collection === USERS_COLLECTION) {
      if (nested.size > 0) throw invalid(`"${name}" points to users, which have no relations`);
      plan.push({ field: name, multiple, target: { kind: "users" } });
      continue;
    }
    const target = await findCollection(db, field.collection);
    if (!target || target.type === "external")
      throw invalid(`"${name}" points to a collection whose records Tidings does not store`);
    plan.push({
      field: name,
      multiple,
      target: {
        kind: "records",
        collection: target,
        rules: compileRules(target),
        nested: await resolveExpand(db, target, nested),
      },
    });
  }
  return plan;
}

function idsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === "string") : [];
}

// The targets the requester may view (the target collection's view rule), expanded in turn.
async function fetchTargets(
  db: Db,
  step: ExpandStep,
  ids: string[],
  requester: Requester,
): Promise<Map<string, RecordJson>> {
  const found = new Map<string, RecordJson>();
  if (ids.length === 0) return found;
  if (step.target.kind === "users") {
    for (const user of await db.user.findMany({ where: { id: { in: ids } } })) {
      const withEmail = requester.auth?.id === user.id || isSuperuser(requester.auth);
      found.set(user.id, userRecord(toAuthUser(user), withEmail));
    }
    return found;
  }
  const { collection, rules, nested } = step.target;
  const gate: Gate | null = isSuperuser(requester.auth) ? "superuser" : rules.viewRule;
  if (gate === null) return found;
  const visible: RecordJson[] = [];
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
    const rows = await findRecords(
      db,
      collection,
      ids.slice(start, start + IDS_PER_QUERY),
      gateConditions(gate, requester),
    );
    for (const row of rows) visible.push(projectRecord(collection, toRecordJson(collection, row)));
  }
  for (const record of await expandRecords(db, nested, visible, requester))
    found.set(record.id, record);
  return found;
}

/**
 * The records with `expand: {field: record | record[]}` added for each step of the plan, as the
 * requester may see them: only targets their view rule lets the requester view, hidden fields
 * removed, users in their public shape. A relation with nothing to show is left out of `expand`,
 * and a record with nothing expanded gets no `expand`. The given records are not modified.
 */
export async function expandRecords(
  db: Db,
  plan: ExpandPlan,
  records: readonly RecordJson[],
  requester: Requester,
): Promise<RecordJson[]> {
  if (plan.length === 0 || records.length === 0) return [...records];
  const expansions = records.map(() => ({}) as Record<string, unknown>);
  for (const step of plan) {
    const ids = [...new Set(records.flatMap((record) => idsIn(record[step.field])))];
    const found = await fetchTargets(db, step, ids, requester);
    records.forEach((record, index) => {
      const targets = idsIn(record[step.field]).flatMap((id) => found.get(id) ?? []);
      const expansion = expansions[index] as Record<string, unknown>;
      if (step.multiple && targets.length > 0) expansion[step.field] = targets;
      else if (!step.multiple && targets[0]) expansion[step.field] = targets[0];
    });
  }
  return records.map((record, index) => {
    const expansion = expansions[index] as Record<string, unknown>;
    return Object.keys(expansion).length > 0 ? { ...record, expand: expansion } : record;
  });
}
