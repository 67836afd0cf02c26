import type { CheckedFilter } from "./checked.ts";
import { EvalEnv } from "./eval-env.ts";
import { planNode } from "./plan.ts";
import { runPlan } from "./run-plan.ts";
import type { AuthRecord, RecordData, RequestContext, RequestData } from "./schema.ts";

/**
 * A compiled filter: true when the record matches for this user, at this time, in this context
 * (and, for a create, update or delete rule, for this request).
 */
export type FilterPredicate = (
  record: RecordData,
  auth: AuthRecord,
  now: Date,
  context?: RequestContext,
  request?: RequestData,
) => boolean;

/**
 * Compiles a checked filter into an in-memory predicate with the same meaning as {@link toSql}.
 * Field lookups, literal conversions and LIKE patterns are resolved here, once; a call allocates
 * nothing on the common paths. Not re-entrant (it reuses one environment object), which
 * synchronous JavaScript never needs.
 */
export function compile(checked: CheckedFilter): FilterPredicate {
  const plan = planNode(checked.root);
  const env = new EvalEnv();
  return (record, auth, now, context = "default", request) => {
    env.auth = auth;
    env.context = context;
    env.request = request;
    env.setNow(now.getTime());
    return runPlan(plan, record, env);
  };
}
