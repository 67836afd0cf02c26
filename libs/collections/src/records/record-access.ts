import { type AuthUser, isSuperuser } from "@tidings/auth";
import { type CheckedFilter, type RequestData, toSql } from "@tidings/filter";
import { TidingsError } from "@tidings/protocol";
import type { RuleName } from "../collection.ts";
import type { CompiledRule, CompiledRules } from "../collection-rules.ts";
import type { RecordJson } from "../record-shape.ts";
import type { SqlCondition } from "./record-queries.ts";

/** Who is asking, and when: rules are judged against this. */
export interface Requester {
  auth: AuthUser | null;
  now: Date;
  /**
   * The write request, which create, update and delete rules read (`@request.body.*`, …); reads
   * need none. Judging a write rule that reads the request without it throws.
   */
  request?: RequestData;
}

/** The rule that applies to this requester, or "anyone" for superusers, whom rules do not bind. */
export type Gate = CompiledRule | "superuser";

/** Picks the rule guarding an action; a null rule refuses everyone but superusers with `FORBIDDEN`. */
export function gateFor(rules: CompiledRules, name: RuleName, requester: Requester): Gate {
  if (isSuperuser(requester.auth)) return "superuser";
  const rule = rules[name];
  if (rule === null)
    throw new TidingsError("FORBIDDEN", "Only superusers can perform this action.");
  return rule;
}

/** The gate as an SQL condition (none for superusers). */
export function gateConditions(gate: Gate, requester: Requester): SqlCondition[] {
  return gate === "superuser" ? [] : [filterCondition(gate.filter, requester)];
}

/** A checked filter as an SQL condition on alias `r`, with the requester's auth bound. */
export function filterCondition(filter: CheckedFilter, requester: Requester): SqlCondition {
  return (params) =>
    toSql(filter, {
      alias: "r",
      param: params.add,
      auth: requester.auth,
      now: requester.now,
      context: "default",
      ...(requester.request && { request: requester.request }),
    });
}

/** Whether the gate lets this requester act on the record. */
export function gateAllows(gate: Gate, record: RecordJson, requester: Requester): boolean {
  return (
    gate === "superuser" ||
    gate.matches(record, requester.auth, requester.now, "default", requester.request)
  );
}
