import { canonicalNode } from "./canonical.ts";
import type { CheckedNode } from "./checked.ts";
import { EvalEnv } from "./eval-env.ts";
import {
  type CollectionRules,
  type GroupInput,
  groupCondition,
  hashIdentity,
} from "./group-key.ts";
import { type CoverEntry, coverAlternatives, residualOf } from "./index-cover.ts";
import { type PlanNode, planNode } from "./plan.ts";
import { type ProbeIndex, ProbeSet } from "./probe-set.ts";
import { runPlan } from "./run-plan.ts";
import type { RecordData, RequestContext } from "./schema.ts";

/** A subscriber as the index sees it. */
export interface Subscription extends GroupInput {
  id: string;
}

/** Subscribers who receive exactly the same events; `key` is stable and usable as a room name. */
export interface SubscriptionGroup {
  readonly key: string;
  readonly recordId: string | null;
  readonly extra: string;
  /** Ids of the subscriptions in the group. */
  readonly subscriptions: ReadonlySet<string>;
  /** The effective condition, with the members' auth values substituted. */
  readonly condition: CheckedNode;
}

/** A change to match. For `deleted`, `record` is the record as it was. */
export interface ChangeEvent {
  action: "created" | "updated" | "deleted";
  record: RecordData;
  /** For `updated`: the record before the change. */
  oldRecord?: RecordData | null;
}

/**
 * How the change concerns a group: `matched` (created/deleted), or for updates `entered` (did not
 * match before, does now), `stayed` (matched before and after) or `left` (matched before only).
 */
export type MatchChange = "matched" | "entered" | "stayed" | "left";

/** One group reached by a change. */
export interface GroupMatch {
  group: SubscriptionGroup;
  change: MatchChange;
}

/** Options of {@link SubscriptionIndex}. */
export interface SubscriptionIndexOptions extends CollectionRules {
  /** Prefix of every group key, e.g. the collection id. @default "" */
  scope?: string;
  /** `@request.context` during matching. @default "realtime" */
  context?: RequestContext;
}

const NEW = 1;
const OLD = 2;

/** Top-level record fields a condition reads. */
function fieldsRead(node: CheckedNode): string[] {
  const fields = new Set<string>();
  const visit = (item: CheckedNode): void => {
    if (item.kind === "and" || item.kind === "or") item.items.forEach(visit);
    else if (item.kind === "cmp") {
      for (const { ref } of [item.left, item.right]) {
        if (ref.kind === "column") fields.add(ref.column);
        else if (ref.kind === "data") fields.add(ref.field);
      }
    }
  };
  visit(node);
  return [...fields];
}

class Group implements SubscriptionGroup {
  readonly subscriptions = new Set<string>();
  /** Epoch of the last match() that reached this group, and which records reached it. */
  mark = 0;
  hits = 0;
  entries: CoverEntry[] = [];
  /** The exact entry whose check is left out of `residual`, if any. */
  keyEntry: CoverEntry | null = null;
  keyProbe: ProbeIndex<Group> | null = null;
  residual: PlanNode | null = null;
  /** Record fields the residual reads: if an update leaves them alone, old and new agree. */
  residualFields: readonly string[] = [];
  residualId = "";

  constructor(
    readonly key: string,
    readonly identity: string,
    readonly recordId: string | null,
    readonly extra: string,
    readonly condition: CheckedNode,
  ) {}

  /** Whether `record` satisfies the condition; `reached` when the key lookup already found it. */
  test(record: RecordData, env: EvalEnv, reached: boolean): boolean {
    if (this.keyEntry !== null && !reached) {
      if (!(this.keyProbe as ProbeIndex<Group>).holds(record, this.keyEntry.value)) return false;
    }
    return runPlan(this.residual as PlanNode, record, env);
  }

  /** Whether the residual gives the same answer for both records without evaluating it again. */
  sameResidual(a: RecordData, b: RecordData): boolean {
    for (const field of this.residualFields) if (a[field] !== b[field]) return false;
    return true;
  }
}

/**
 * The live subscriptions of one collection, grouped and indexed so that matching a change costs
 * in proportion to the groups it can reach, not to the number of subscribers. Equality conditions
 * (`owner = @request.auth.id`, `status = 'active'`, a record id) are hash lookups; only the rest
 * of each candidate group's condition is evaluated.
 */
export class SubscriptionIndex {
  private rules: CollectionRules;
  private readonly scope: string;
  private readonly context: RequestContext;
  private readonly subs = new Map<string, { subscription: Subscription; group: Group }>();
  private readonly groupsByIdentity = new Map<string, Group>();
  private readonly probes = new ProbeSet<Group>();
  private readonly scan = new Set<Group>();
  private readonly residuals = new Map<
    string,
    { plan: PlanNode; fields: string[]; users: number }
  >();
  private readonly env = new EvalEnv();
  private epoch = 0;
  /** Candidate groups of the current match(), reused to keep matching allocation-free. */
  private readonly candidates: Group[] = [];
  /** Which record (NEW or OLD) the probe in progress is for. */
  private bit = 0;
  private readonly visit = (group: Group): void => {
    if (group.mark !== this.epoch) {
      group.mark = this.epoch;
      group.hits = 0;
      this.candidates.push(group);
    }
    group.hits |= this.bit;
  };

  constructor(options: SubscriptionIndexOptions) {
    this.rules = { listRule: options.listRule, viewRule: options.viewRule };
    this.scope = options.scope ?? "";
    this.context = options.context ?? "realtime";
    this.env.context = this.context;
  }

  /** Number of subscriptions. */
  get size(): number {
    return this.subs.size;
  }

  /** Number of distinct groups. */
  get groupCount(): number {
    return this.groupsByIdentity.size;
  }

  /** The group a subscription belongs to. */
  groupOf(subscriptionId: string): SubscriptionGroup | undefined {
    return this.subs.get(subscriptionId)?.group;
  }

  /** Adds or replaces a subscription; returns its group. */
  add(subscription: Subscription): SubscriptionGroup {
    this.remove(subscription.id);
    const { condition, identity } = groupCondition(this.rules, subscription, this.context);
    let group = this.groupsByIdentity.get(identity);
    if (group === undefined) {
      const recordId = subscription.recordId ?? null;
      const key = hashIdentity(this.scope, identity);
      group = new Group(key, identity, recordId, subscription.extra ?? "", condition);
      this.groupsByIdentity.set(identity, group);
      this.register(group);
    }
    group.subscriptions.add(subscription.id);
    this.subs.set(subscription.id, { subscription, group });
    return group;
  }

  /** Removes a subscription; unknown ids are ignored. */
  remove(subscriptionId: string): void {
    const group = this.subs.get(subscriptionId)?.group;
    if (group === undefined) return;
    this.subs.delete(subscriptionId);
    group.subscriptions.delete(subscriptionId);
    if (group.subscriptions.size > 0) return;
    this.groupsByIdentity.delete(group.identity);
    this.unregister(group);
  }

  /**
   * Replaces the collection's rules and regroups every subscription, so the next event is matched
   * against the new rules. Group keys change where a rule's meaning for the members changed.
   */
  setRules(rules: CollectionRules): void {
    this.rules = { listRule: rules.listRule, viewRule: rules.viewRule };
    const subscriptions = [...this.subs.values()].map((entry) => entry.subscription);
    for (const group of this.groupsByIdentity.values()) this.unregister(group);
    this.groupsByIdentity.clear();
    this.subs.clear();
    for (const subscription of subscriptions) this.add(subscription);
  }

  private register(group: Group): void {
    const condition = group.condition;
    if (condition.kind === "const" && !condition.value) return;
    const alternatives = coverAlternatives(condition, (alts) => this.cheapest(alts));
    const entries = alternatives.length === 0 ? [] : this.cheapest(alternatives);
    group.entries = entries;
    const residual = residualOf(condition, entries);
    if (residual !== condition) {
      group.keyEntry = entries[0] as CoverEntry;
      group.keyProbe = this.probes.get(group.keyEntry.probe);
    }
    group.residualId = canonicalNode(residual);
    let shared = this.residuals.get(group.residualId);
    if (shared === undefined) {
      shared = { plan: planNode(residual), fields: fieldsRead(residual), users: 0 };
      this.residuals.set(group.residualId, shared);
    }
    shared.users++;
    group.residual = shared.plan;
    group.residualFields = shared.fields;
    if (entries.length === 0) this.scan.add(group);
    for (const entry of entries) this.probes.add(entry.probe, entry.value, group);
  }

  private unregister(group: Group): void {
    for (const entry of group.entries) this.probes.delete(entry.probe, entry.value, group);
    this.scan.delete(group);
    const shared = this.residuals.get(group.residualId);
    if (shared !== undefined && --shared.users === 0) this.residuals.delete(group.residualId);
  }

  /** Prefers record ids, then the alternative whose buckets hold the fewest groups today. */
  private cheapest(alternatives: CoverEntry[][]): CoverEntry[] {
    let best = alternatives[0] as CoverEntry[];
    let bestCost = Number.POSITIVE_INFINITY;
    for (const alternative of alternatives) {
      let cost = alternative.length;
      for (const entry of alternative) {
        cost +=
          entry.probe.field === "id" && entry.probe.mode === "eq"
            ? -1e9
            : this.probes.countAt(entry.probe, entry.value);
      }
      if (cost < bestCost) {
        best = alternative;
        bestCost = cost;
      }
    }
    return best;
  }

  /** The groups a change reaches and how. Cost: key lookups, plus one residual check per candidate. */
  match(event: ChangeEvent, now: Date = new Date()): GroupMatch[] {
    this.epoch++;
    this.env.setNow(now.getTime());
    const candidates = this.candidates;
    candidates.length = 0;
    const old = event.action === "updated" ? (event.oldRecord ?? null) : null;
    this.bit = NEW;
    this.probes.probe(event.record, this.visit);
    if (old !== null) {
      this.bit = OLD;
      this.probes.probe(old, this.visit);
    }
    this.bit = 0;
    this.scan.forEach(this.visit);
    const results: GroupMatch[] = [];
    for (const group of candidates) {
      const isNew = group.test(event.record, this.env, (group.hits & NEW) !== 0);
      if (old === null) {
        if (isNew) results.push({ group, change: "matched" });
        continue;
      }
      // The key holds for both records (or there is none) and the residual's fields are
      // unchanged: the old record gets the new one's answer.
      const keyedBoth = group.keyEntry === null || (group.hits & (NEW | OLD)) === (NEW | OLD);
      const wasOld =
        keyedBoth && group.sameResidual(event.record, old)
          ? isNew
          : group.test(old, this.env, (group.hits & OLD) !== 0);
      if (isNew) results.push({ group, change: wasOld ? "stayed" : "entered" });
      else if (wasOld) results.push({ group, change: "left" });
    }
    candidates.length = 0;
    return results;
  }

  /** Every group, for diagnostics and rebuilding rooms. */
  groups(): IterableIterator<SubscriptionGroup> {
    return this.groupsByIdentity.values();
  }
}
