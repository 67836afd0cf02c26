import { createHash } from "node:crypto";
import { bindValues, combine } from "./bind.ts";
import { canonicalNode } from "./canonical.ts";
import type { CheckedFilter, CheckedNode } from "./checked.ts";
import type { AuthRecord, RequestContext } from "./schema.ts";

/** The collection's access rules; `null` means superusers only. */
export interface CollectionRules {
  /** Applies to subscriptions on the whole collection. */
  listRule: CheckedFilter | null;
  /** Applies to subscriptions on one record. */
  viewRule: CheckedFilter | null;
}

/** What decides which records a subscriber receives. */
export interface GroupInput {
  auth: AuthRecord;
  /** Superusers bypass the rules. @default false */
  superuser?: boolean;
  /** The subscription's own filter. */
  filter?: CheckedFilter | null;
  /** Subscribe to this one record only (the view rule applies instead of the list rule). */
  recordId?: string | null;
  /**
   * Anything else that must be equal to share deliveries, e.g. the `select` list and the event
   * types subscribed to. @default ""
   */
  extra?: string;
}

/** A subscription's condition with its auth values substituted, and its group identity. */
export interface GroupCondition {
  condition: CheckedNode;
  identity: string;
}

const ID_IS = (recordId: string): CheckedNode => ({
  kind: "cmp",
  op: "=",
  quant: "one",
  left: {
    ref: { kind: "column", column: "id" },
    modifier: null,
    coerce: null,
    type: "text",
    pos: 0,
  },
  right: {
    ref: { kind: "literal", value: recordId },
    modifier: null,
    coerce: null,
    type: "text",
    pos: 0,
  },
  like: null,
  pos: 0,
});

/**
 * The effective condition of a subscription — rule (unless superuser) AND filter AND record id —
 * with `@request.auth.*` and `@request.context` substituted and constants folded. Subscribers
 * whose identities are equal receive exactly the same events.
 */
export function groupCondition(
  rules: CollectionRules,
  input: GroupInput,
  context: RequestContext,
): GroupCondition {
  const recordId = input.recordId ?? null;
  const rule = recordId === null ? rules.listRule : rules.viewRule;
  const parts: CheckedNode[] = [
    input.superuser === true
      ? { kind: "const", value: true }
      : (rule?.root ?? { kind: "const", value: false }),
    input.filter?.root ?? { kind: "const", value: true },
  ];
  if (recordId !== null) parts.push(ID_IS(recordId));
  const condition = bindValues(combine("and", parts), { auth: input.auth, context });
  const identity = `${recordId === null ? "*" : JSON.stringify(recordId)}|${JSON.stringify(input.extra ?? "")}|${canonicalNode(condition)}`;
  return { condition, identity };
}

/** A short stable name for a group identity (base64url of SHA-256), usable as a room name. */
export function hashIdentity(scope: string, identity: string): string {
  return createHash("sha256")
    .update(scope)
    .update("\u0000")
    .update(identity)
    .digest("base64url")
    .slice(0, 27);
}

/**
 * The key of the group a subscription belongs to, as {@link SubscriptionIndex} computes it: the
 * same inputs give the same key in every process, so a gateway can join a socket to the room an
 * evaluator will emit to. It changes when the rule's meaning for this subscriber changes.
 */
export function groupKeyOf(
  scope: string,
  rules: CollectionRules,
  input: GroupInput,
  context: RequestContext = "realtime",
): string {
  return hashIdentity(scope, groupCondition(rules, input, context).identity);
}
