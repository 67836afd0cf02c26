import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CheckedFilter } from "./checked.ts";
import { checkFilter } from "./checker.ts";
import { compile } from "./compile.ts";
import { FilterError } from "./errors.ts";
import { type CollectionRules, groupKeyOf } from "./group-key.ts";
import { parseFilter } from "./parser.ts";
import type { AuthRecord, CollectionSchema, RecordData } from "./schema.ts";
import { type ChangeEvent, type Subscription, SubscriptionIndex } from "./subscription-index.ts";
import { authArb, nowArb, recordsArb, TEST_SCHEMA } from "./testing/arbitraries.ts";
import { pocketbaseFilter } from "./testing/filter-arbitraries.ts";

const schema: CollectionSchema = {
  fields: [
    { name: "owner", type: "relation" },
    { name: "status", type: "text" },
    { name: "score", type: "number" },
    { name: "tags", type: "relation", multiple: true },
  ],
};

function rule(text: string, on: CollectionSchema = schema): CheckedFilter {
  return checkFilter(parseFilter(text), on, { allowHidden: true });
}

function filter(text: string): CheckedFilter {
  return checkFilter(parseFilter(text), schema, { allowHidden: false });
}

const NOW = new Date("2025-01-01T00:00:00.000Z");
const post = (fields: Record<string, unknown>): RecordData => ({
  id: "p1",
  created: "2024-12-01T00:00:00.000Z",
  updated: "2024-12-01T00:00:00.000Z",
  ...fields,
});

describe("SubscriptionIndex", () => {
  it("puts every anonymous subscriber to a public collection in one group", () => {
    const index = new SubscriptionIndex({ listRule: rule(""), viewRule: rule("") });
    for (let i = 0; i < 1000; i++) index.add({ id: `s${i}`, auth: null });
    expect(index.size).toBe(1000);
    expect(index.groupCount).toBe(1);
    const [match] = index.match({ action: "created", record: post({}) }, NOW);
    expect(match?.group.subscriptions.size).toBe(1000);
  });

  it("groups by the auth fields the rule reads, and only those", () => {
    const index = new SubscriptionIndex({
      listRule: rule("owner = @request.auth.id"),
      viewRule: null,
    });
    const a = index.add({ id: "a", auth: { id: "u1", name: "Ann" } });
    const b = index.add({ id: "b", auth: { id: "u1", name: "Bob" } });
    const c = index.add({ id: "c", auth: { id: "u2", name: "Ann" } });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(index.groupCount).toBe(2);
  });

  it("gives keys that groupKeyOf reproduces without an index", () => {
    const rules: CollectionRules = { listRule: rule("owner = @request.auth.id"), viewRule: null };
    const index = new SubscriptionIndex({ ...rules, scope: "posts" });
    const sub: Subscription = { id: "s", auth: { id: "u1" }, filter: filter("status = 'active'") };
    expect(index.add(sub).key).toBe(groupKeyOf("posts", rules, sub));
    expect(groupKeyOf("posts", rules, sub)).not.toBe(groupKeyOf("other", rules, sub));
  });

  it("folds rules on auth values so anonymous subscribers to a members-only rule match nothing", () => {
    const index = new SubscriptionIndex({
      listRule: rule("@request.auth.id != ''"),
      viewRule: null,
    });
    index.add({ id: "guest", auth: null });
    index.add({ id: "member", auth: { id: "u1" } });
    const matches = index.match({ action: "created", record: post({}) }, NOW);
    expect(matches.map((m) => [...m.group.subscriptions])).toEqual([["member"]]);
  });

  it("reports entered, stayed and left for updates, and matched otherwise", () => {
    const index = new SubscriptionIndex({
      listRule: rule("owner = @request.auth.id"),
      viewRule: null,
    });
    const group = index.add({ id: "s", auth: { id: "u1" }, filter: filter("status = 'active'") });
    const change = (event: ChangeEvent) =>
      index.match(event, NOW).find((m) => m.group === group)?.change;
    const active = post({ owner: "u1", status: "active" });
    const draft = post({ owner: "u1", status: "draft" });
    const foreign = post({ owner: "u2", status: "active" });
    expect(change({ action: "created", record: active })).toBe("matched");
    expect(change({ action: "deleted", record: active })).toBe("matched");
    expect(change({ action: "updated", record: active, oldRecord: draft })).toBe("entered");
    expect(change({ action: "updated", record: active, oldRecord: active })).toBe("stayed");
    expect(change({ action: "updated", record: draft, oldRecord: active })).toBe("left");
    expect(change({ action: "updated", record: foreign, oldRecord: active })).toBe("left");
    expect(change({ action: "updated", record: active, oldRecord: foreign })).toBe("entered");
    expect(change({ action: "updated", record: draft, oldRecord: foreign })).toBeUndefined();
  });

  it("applies the view rule and the record id to single-record subscriptions", () => {
    const index = new SubscriptionIndex({ listRule: null, viewRule: rule("status = 'active'") });
    index.add({ id: "one", auth: null, recordId: "p1" });
    index.add({ id: "all", auth: null });
    const hits = (record: RecordData) =>
      index.match({ action: "created", record }, NOW).flatMap((m) => [...m.group.subscriptions]);
    expect(hits(post({ status: "active" }))).toEqual(["one"]);
    expect(hits({ ...post({ status: "active" }), id: "p2" })).toEqual([]);
    expect(hits(post({ status: "draft" }))).toEqual([]);
  });

  it("lets superusers past a superusers-only rule", () => {
    const index = new SubscriptionIndex({ listRule: null, viewRule: null });
    index.add({ id: "user", auth: { id: "u1" } });
    index.add({ id: "admin", auth: { id: "a1" }, superuser: true });
    const matches = index.match({ action: "created", record: post({}) }, NOW);
    expect(matches.flatMap((m) => [...m.group.subscriptions])).toEqual(["admin"]);
  });

  it("drops a group with its last subscription", () => {
    const index = new SubscriptionIndex({
      listRule: rule("owner = @request.auth.id"),
      viewRule: null,
    });
    index.add({ id: "a", auth: { id: "u1" } });
    index.add({ id: "b", auth: { id: "u1" } });
    index.remove("a");
    expect(index.match({ action: "created", record: post({ owner: "u1" }) }, NOW)).toHaveLength(1);
    index.remove("b");
    index.remove("unknown");
    expect(index.groupCount).toBe(0);
    expect(index.match({ action: "created", record: post({ owner: "u1" }) }, NOW)).toEqual([]);
  });

  it("applies a replaced rule from the next event on", () => {
    const index = new SubscriptionIndex({
      listRule: rule("owner = @request.auth.id"),
      viewRule: null,
    });
    index.add({ id: "s", auth: { id: "u1" } });
    const event: ChangeEvent = { action: "created", record: post({ owner: "u2" }) };
    expect(index.match(event, NOW)).toEqual([]);
    index.setRules({ listRule: rule(""), viewRule: null });
    expect(index.match(event, NOW)).toHaveLength(1);
    index.setRules({ listRule: null, viewRule: null });
    expect(index.match(event, NOW)).toEqual([]);
  });

  it("looks up any-of rules on multiple relations by each item", () => {
    const index = new SubscriptionIndex({
      listRule: rule("tags ?= @request.auth.id"),
      viewRule: null,
    });
    index.add({ id: "u1", auth: { id: "u1" } });
    index.add({ id: "u3", auth: { id: "u3" } });
    const matches = index.match({ action: "created", record: post({ tags: ["u1", "u2"] }) }, NOW);
    expect(matches.flatMap((m) => [...m.group.subscriptions])).toEqual(["u1"]);
  });
});

const RULES = [
  "",
  null,
  "owner = @request.auth.id",
  "@request.auth.id != '' && (owner = @request.auth.id || tags ?= @request.auth.id)",
  "active = true || @request.context = 'realtime'",
  "owner:lower = @request.auth.name:lower && score > 0",
  "tags = @request.auth.id || created < @todayStart",
];

function checkedOrNull(text: string): CheckedFilter | null {
  try {
    return checkFilter(parseFilter(text), TEST_SCHEMA, { allowHidden: false });
  } catch (error) {
    if (error instanceof FilterError) return null;
    throw error;
  }
}

describe("SubscriptionIndex against a scan of every subscription", () => {
  it("reaches exactly the subscriptions a linear scan accepts", () => {
    const subscriptionArb = fc.record({
      auth: authArb,
      superuser: fc.oneof(
        { weight: 4, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      filter: fc.option(pocketbaseFilter, { nil: undefined }),
      recordId: fc.option(fc.constantFrom("u10", "U12", "é3"), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...RULES),
        fc.constantFrom(...RULES),
        fc.array(subscriptionArb, { minLength: 1, maxLength: 30 }),
        recordsArb,
        recordsArb,
        nowArb,
        (listText, viewText, subs, before, after, now) => {
          const rules = {
            listRule: listText === null ? null : rule(listText, TEST_SCHEMA),
            viewRule: viewText === null ? null : rule(viewText, TEST_SCHEMA),
          };
          const index = new SubscriptionIndex(rules);
          const scan: { id: string; test: (record: RecordData) => boolean }[] = [];
          subs.forEach((sub, i) => {
            const checked = sub.filter === undefined ? null : checkedOrNull(sub.filter);
            const subscription: Subscription = { ...sub, id: `s${i}`, filter: checked };
            index.add(subscription);
            const ruleOf = sub.recordId === undefined ? rules.listRule : rules.viewRule;
            const rulePredicate = ruleOf === null ? null : compile(ruleOf);
            const filterPredicate = checked === null ? null : compile(checked);
            const auth: AuthRecord = sub.auth;
            scan.push({
              id: subscription.id,
              test: (record) =>
                (sub.superuser || rulePredicate?.(record, auth, now, "realtime") === true) &&
                (filterPredicate === null || filterPredicate(record, auth, now, "realtime")) &&
                (sub.recordId === undefined || record.id === sub.recordId),
            });
          });
          // Unrelated updates and updates of one field, so old and new often share values.
          const pairs = [
            ...after.map((record, i) => [before[i % before.length] as RecordData, record] as const),
            ...before.map((record) => [record, { ...record, score: 1 }] as const),
            ...before.map((record) => [record, { ...record, owner: "u1" }] as const),
          ];
          for (const [oldRecord, record] of pairs) {
            const expected = new Map<string, string>();
            for (const { id, test } of scan) {
              const isNew = test(record);
              const wasOld = test(oldRecord);
              if (isNew || wasOld)
                expected.set(id, isNew ? (wasOld ? "stayed" : "entered") : "left");
            }
            const actual = new Map<string, string>();
            for (const { group, change } of index.match(
              { action: "updated", record, oldRecord },
              now,
            )) {
              for (const id of group.subscriptions) actual.set(id, change);
            }
            expect(actual).toEqual(expected);
            const created = new Set(scan.filter(({ test }) => test(record)).map(({ id }) => id));
            const matched = index
              .match({ action: "created", record }, now)
              .flatMap((m) => [...m.group.subscriptions]);
            expect(new Set(matched)).toEqual(created);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
