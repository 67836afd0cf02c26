import {
  type CheckedFilter,
  type CollectionSchema,
  checkFilter,
  compile,
  FilterError,
  type FilterPredicate,
  parseFilter,
  parseSort,
  type SortTerm,
} from "@tidings/filter";
import { TidingsError } from "@tidings/protocol";
import { type CollectionDef, RULE_NAMES, type RuleName } from "./collection.ts";

/** A rule ready to run: as SQL through its checked filter, or in memory through `matches`. */
export interface CompiledRule {
  readonly text: string;
  readonly filter: CheckedFilter;
  readonly matches: FilterPredicate;
}

/** The compiled rules of a collection; null means superusers only. */
export type CompiledRules = Record<RuleName, CompiledRule | null>;

/** The collection's fields in the form the filter language checks names and types against. */
export function filterSchemaOf(collection: Pick<CollectionDef, "fields">): CollectionSchema {
  return {
    fields: collection.fields.map((field) => ({
      name: field.name,
      type: field.type,
      hidden: field.hidden,
      multiple: field.multiple === true,
    })),
  };
}

// The rules that judge a write, and so may read its body, query, headers and method.
const WRITE_RULES: ReadonlySet<RuleName> = new Set(["createRule", "updateRule", "deleteRule"]);

/**
 * Parses and checks one rule; rules are written by superusers and may read hidden fields. Create,
 * update and delete rules judge the write request; list and view rules judge a read (no body,
 * method GET), and may not name its query or headers (see `checkFilter`).
 */
export function compileRule(
  collection: Pick<CollectionDef, "fields">,
  name: RuleName,
  text: string | null,
): CompiledRule | null {
  if (text === null) return null;
  try {
    const filter = checkFilter(parseFilter(text), filterSchemaOf(collection), {
      allowHidden: true,
      request: WRITE_RULES.has(name) ? "write" : "read",
    });
    return { text, filter, matches: compile(filter) };
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    throw new TidingsError("INVALID_RULE", `${name}: ${error.message}`, {
      rule: name,
      position: error.position,
    });
  }
}

/** Compiles all five rules, failing with `INVALID_RULE` (naming the rule and position) on the first bad one. */
export function compileRules(collection: CollectionDef): CompiledRules {
  const rules = {} as CompiledRules;
  for (const name of RULE_NAMES) rules[name] = compileRule(collection, name, collection[name]);
  return rules;
}

/**
 * Parses and checks a client's filter. Clients other than superusers may not name hidden fields,
 * so a filter cannot be used to probe values they are not allowed to see.
 */
export function compileClientFilter(
  collection: Pick<CollectionDef, "fields">,
  text: string,
  options: { allowHidden: boolean },
): CheckedFilter {
  try {
    return checkFilter(parseFilter(text), filterSchemaOf(collection), options);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    throw new TidingsError("INVALID_FILTER", error.message, { position: error.position });
  }
}

/** Parses a client's sort (`-created,title`); hidden fields only for superusers, as for filters. */
export function compileClientSort(
  collection: Pick<CollectionDef, "fields">,
  text: string,
  options: { allowHidden: boolean },
): SortTerm[] {
  try {
    return parseSort(text, filterSchemaOf(collection), options);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    throw new TidingsError("INVALID_SORT", error.message, { position: error.position });
  }
}
