/**
 * Matching benchmark: the subscription index against a linear scan that checks every
 * subscription's rule and filter per event (what PocketBase does), in the same run.
 *
 *   npx tsx --conditions=@tidings/source libs/filter/bench/match.ts [--events N] [--scan-events N]
 */
import { parseArgs } from "node:util";
import {
  type ChangeEvent,
  type CheckedFilter,
  type CollectionSchema,
  checkFilter,
  compile,
  type FilterPredicate,
  parseFilter,
  type RecordData,
  type Subscription,
  SubscriptionIndex,
} from "../src/index.ts";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "200000" },
    "scan-events": { type: "string", default: "400" },
  },
});

const USERS = 10_000;
const SUBSCRIPTIONS = 100_000;
const INDEX_EVENTS = Number(args.events);
const SCAN_EVENTS = Number(args["scan-events"]);
const NOW = new Date("2025-06-01T12:00:00.000Z");

/** Deterministic generator (mulberry32), so every run measures the same workload. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const LETTERS = "abcdefghijklmnopqrstuvwxyz".split("");
const STATUSES = ["active", "draft", "archived"];

const schema: CollectionSchema = {
  fields: [
    { name: "owner", type: "relation" },
    { name: "status", type: "text" },
    { name: "score", type: "number" },
    { name: "title", type: "text" },
  ],
};
const check = (text: string, allowHidden: boolean): CheckedFilter =>
  checkFilter(parseFilter(text), schema, { allowHidden });
const listRule = check("owner = @request.auth.id", true);

function randomFilter(): string {
  const parts: string[] = [];
  if (rand() < 0.5) parts.push("status = 'active'");
  if (rand() < 0.5) parts.push(`score > ${Math.floor(rand() * 10) * 10}`);
  if (rand() < 0.5) parts.push(`title ~ '${pick(LETTERS)}'`);
  return parts.join(" && ");
}

const subscriptions: Subscription[] = [];
for (let i = 0; i < SUBSCRIPTIONS; i++) {
  const text = randomFilter();
  subscriptions.push({
    id: `s${i}`,
    auth: { id: `u${i % USERS}`, email: `u${i % USERS}@example.com`, verified: true },
    filter: text === "" ? null : check(text, false),
  });
}

function randomRecord(id: string): RecordData {
  const title = Array.from({ length: 8 }, () => pick(LETTERS)).join("");
  return {
    id,
    created: "2025-05-01T00:00:00.000Z",
    updated: "2025-05-01T00:00:00.000Z",
    owner: `u${Math.floor(rand() * USERS)}`,
    status: pick(STATUSES),
    score: Math.floor(rand() * 100),
    title,
  };
}

function randomEvent(n: number): ChangeEvent {
  const roll = rand();
  const record = randomRecord(`r${n}`);
  if (roll < 0.4) return { action: "created", record };
  if (roll < 0.8) {
    const changed = { ...record, status: pick(STATUSES), score: Math.floor(rand() * 100) };
    return { action: "updated", record: changed, oldRecord: record };
  }
  return { action: "deleted", record };
}

// A pool of distinct events replayed in a loop: the stream stays varied without the heap of a
// million live records slowing every garbage collection.
const POOL = 20_000;
const events = Array.from({ length: POOL }, (_, n) => randomEvent(n));

// The index.
let started = process.hrtime.bigint();
const index = new SubscriptionIndex({ listRule, viewRule: listRule, scope: "posts" });
for (const subscription of subscriptions) index.add(subscription);
const buildMs = Number(process.hrtime.bigint() - started) / 1e6;

// The linear scan: every subscription's rule and filter, with its own auth, per event.
const compiledRule = compile(listRule);
const scanners = subscriptions.map((s) => ({
  auth: s.auth,
  filter: s.filter ? compile(s.filter) : null,
}));
function scanMatches(
  record: RecordData,
  filter: FilterPredicate | null,
  auth: Subscription["auth"],
): boolean {
  return (
    compiledRule(record, auth, NOW, "realtime") &&
    (filter === null || filter(record, auth, NOW, "realtime"))
  );
}
function scan(event: ChangeEvent): number {
  let reached = 0;
  for (const { auth, filter } of scanners) {
    const isNew = scanMatches(event.record, filter, auth);
    const wasOld = event.oldRecord ? scanMatches(event.oldRecord, filter, auth) : false;
    if (isNew || wasOld) reached++;
  }
  return reached;
}
function indexed(event: ChangeEvent): number {
  let reached = 0;
  for (const { group } of index.match(event, NOW)) reached += group.subscriptions.size;
  return reached;
}

// Both must reach the same subscribers before their speed means anything.
for (const event of events.slice(0, 200)) {
  const expected = scan(event);
  const actual = indexed(event);
  if (expected !== actual)
    throw new Error(`index reached ${actual} subscriptions, scan ${expected}`);
}

function measure(
  run: (event: ChangeEvent) => number,
  count: number,
): { perSecond: number; micros: number } {
  for (const event of events.slice(0, Math.min(count, 1000))) run(event);
  started = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < count; i++) sink += run(events[i % POOL] as ChangeEvent);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink < 0) console.log(sink);
  return { perSecond: count / seconds, micros: (seconds * 1e6) / count };
}

const indexResult = measure(indexed, INDEX_EVENTS);
const scanResult = measure(scan, SCAN_EVENTS);
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

console.log(
  `subscriptions ${fmt(SUBSCRIPTIONS)} from ${fmt(USERS)} users, groups ${fmt(index.groupCount)}, index built in ${fmt(buildMs)} ms`,
);
console.log(
  `index        ${fmt(indexResult.perSecond).padStart(12)} events/s  ${fmt(indexResult.micros, 2).padStart(10)} µs/event  (${fmt(INDEX_EVENTS)} events)`,
);
console.log(
  `linear scan  ${fmt(scanResult.perSecond).padStart(12)} events/s  ${fmt(scanResult.micros, 2).padStart(10)} µs/event  (${fmt(SCAN_EVENTS)} events)`,
);
console.log(`ratio        ${fmt(indexResult.perSecond / scanResult.perSecond, 1)}×`);
