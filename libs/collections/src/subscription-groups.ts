import {
  type CheckedFilter,
  type CollectionRules,
  checkFilter,
  FilterError,
  type GroupInput,
  groupCondition,
  groupKeyOf,
  parseFastSchemaFilter,
  parseFilter,
  parseFluxbaseFilter,
} from "@tidings/filter";
import {
  deliveryExtra,
  type FilterSyntax,
  type SubscriptionSpec,
  TidingsError,
} from "@tidings/protocol";
import type { CollectionDef } from "./collection.ts";
import { type CompiledRules, filterSchemaOf } from "./collection-rules.ts";

/** The rules that decide realtime deliveries: list for collection feeds, view for one record. */
export function realtimeRules(rules: CompiledRules): CollectionRules {
  return { listRule: rules.listRule?.filter ?? null, viewRule: rules.viewRule?.filter ?? null };
}

// Checked filters by the collection's field list (a changed definition is a new object, so it never
// meets an entry of the old one) and by syntax, hidden-field access and text. Thousands of
// subscribers usually share a handful of filters: parsing and checking each again was a few % of a
// gateway's CPU in a storm of subscribes. A client sending endless distinct filters empties the
// cache rather than growing it.
const checkedFilters = new WeakMap<object, Map<string, CheckedFilter>>();
const MAX_CHECKED_FILTERS = 1_000;

/**
 * Parses a subscription filter in its syntax and checks it against the collection. Hidden fields
 * are for superusers only, as in REST filters. Bad filters are `INVALID_FILTER` with the position.
 */
export function compileSubscriptionFilter(
  collection: Pick<CollectionDef, "fields">,
  text: string,
  syntax: FilterSyntax,
  options: { allowHidden: boolean },
): CheckedFilter {
  let cached = checkedFilters.get(collection.fields);
  if (!cached) {
    cached = new Map();
    checkedFilters.set(collection.fields, cached);
  }
  const key = `${syntax}:${options.allowHidden ? 1 : 0}:${text}`;
  const hit = cached.get(key);
  if (hit) return hit;
  const checked = checkFilterText(collection, text, syntax, options);
  if (cached.size >= MAX_CHECKED_FILTERS) cached.clear();
  cached.set(key, checked);
  return checked;
}

function checkFilterText(
  collection: Pick<CollectionDef, "fields">,
  text: string,
  syntax: FilterSyntax,
  options: { allowHidden: boolean },
): CheckedFilter {
  try {
    const schema = filterSchemaOf(collection);
    const ast =
      syntax === "fastschema"
        ? parseFastSchemaFilter(text)
        : syntax === "fluxbase"
          ? parseFluxbaseFilter(text, { schema })
          : parseFilter(text);
    return checkFilter(ast, schema, options);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    throw new TidingsError("INVALID_FILTER", error.message, { position: error.position });
  }
}

type GroupFields = Pick<
  SubscriptionSpec,
  "auth" | "superuser" | "recordId" | "filter" | "filterSyntax" | "events" | "select"
>;

/** What the subscription index needs to place a subscription in its group. */
export function groupInputOf(
  collection: Pick<CollectionDef, "fields">,
  spec: GroupFields,
): GroupInput {
  return {
    auth: spec.auth,
    superuser: spec.superuser,
    recordId: spec.recordId,
    filter:
      spec.filter === null
        ? null
        : compileSubscriptionFilter(collection, spec.filter, spec.filterSyntax, {
            allowHidden: spec.superuser,
          }),
    extra: deliveryExtra(spec),
  };
}

/**
 * The channel (room) of a subscription: its group key under the collection's current rules. The
 * gateway joins the socket to it and the evaluators emit to it; both compute it the same way.
 */
export function channelOf(
  collection: CollectionDef,
  rules: CompiledRules,
  spec: GroupFields,
): string {
  return groupKeyOf(collection.id, realtimeRules(rules), groupInputOf(collection, spec));
}

/**
 * Whether the collection's rule, with this subscriber's auth, lets any record through at all. A
 * null rule (superusers only) or one that is false for this subscriber whatever the record (for
 * example `@request.auth.id != ""` for a guest) refuses the subscription outright.
 */
export function ruleAllowsAny(
  rules: CompiledRules,
  spec: Pick<SubscriptionSpec, "auth" | "superuser" | "recordId">,
): boolean {
  const input: GroupInput = {
    auth: spec.auth,
    superuser: spec.superuser,
    recordId: spec.recordId,
    filter: null,
  };
  const { condition } = groupCondition(realtimeRules(rules), input, "realtime");
  return !(condition.kind === "const" && !condition.value);
}
