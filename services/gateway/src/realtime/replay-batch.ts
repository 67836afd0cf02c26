import {
  type CollectionDef,
  type CompiledRules,
  deliveryFor,
  groupInputOf,
  preferencesOf,
  realtimeRules,
} from "@tidings/collections";
import { SubscriptionIndex } from "@tidings/filter";
import type { ChangePayload, SubscriptionSpec } from "@tidings/protocol";
import type { RecentEvents } from "./recent-events.ts";

/** One resuming subscription: what it missed is every change after `after`, up to `through`. */
export interface ReplayRequest {
  collection: CollectionDef;
  rules: CompiledRules;
  spec: SubscriptionSpec;
  after: number;
  through: number;
  send(payload: ChangePayload): void;
  /** Resolves when the client has room for more (awaited between pages). */
  drained(): Promise<void>;
}

// The requests of one collection definition, indexed together: each event is matched once for
// all of them, as the evaluators match it for all live subscriptions.
interface Matcher {
  collection: CollectionDef;
  index: SubscriptionIndex;
  byChannel: Map<string, ReplayRequest[]>;
}

function matchersOf(requests: ReplayRequest[]): Map<string, Matcher[]> {
  const byVersion = new Map<string, Matcher>();
  for (const request of requests) {
    const { collection, rules, spec } = request;
    const version = `${collection.id}@${collection.updated}`;
    let matcher = byVersion.get(version);
    if (!matcher) {
      const index = new SubscriptionIndex({ ...realtimeRules(rules), scope: collection.id });
      matcher = { collection, index, byChannel: new Map() };
      byVersion.set(version, matcher);
    }
    const group = matcher.index.add({ id: spec.id, ...groupInputOf(collection, spec) });
    const members = matcher.byChannel.get(group.key) ?? [];
    members.push(request);
    matcher.byChannel.set(group.key, members);
  }
  const byCollection = new Map<string, Matcher[]>();
  for (const matcher of byVersion.values()) {
    const list = byCollection.get(matcher.collection.id) ?? [];
    list.push(matcher);
    byCollection.set(matcher.collection.id, list);
  }
  return byCollection;
}

/**
 * Sends resuming subscriptions of one event subject what they missed, judged exactly as the
 * evaluators judge live events (current rules, the subscriber's auth, entered/left, projection),
 * reading the stream once for all of them: from the oldest position among them to the newest end.
 * Resolves to how many changes each received.
 */
export async function replayBatch(
  history: RecentEvents,
  subject: string,
  requests: ReplayRequest[],
): Promise<number[]> {
  const sent = new Map<ReplayRequest, number>(requests.map((request) => [request, 0]));
  const matchers = matchersOf(requests);
  const through = Math.max(...requests.map((request) => request.through));
  for (let next = Math.min(...requests.map((request) => request.after)) + 1; next <= through; ) {
    const page = await history.page(subject, next, through);
    for (const { seq, event } of page.events) {
      // An event that does not decode is parked by the evaluators too.
      if (!event) continue;
      for (const { collection, index, byChannel } of matchers.get(event.collectionId) ?? []) {
        const change = { action: event.action, record: event.record, oldRecord: event.oldRecord };
        for (const { group, change: how } of index.match(change)) {
          const preferences = preferencesOf(group.extra);
          const payload = deliveryFor(collection, group.key, preferences, event, how, seq);
          if (!payload) continue;
          for (const request of byChannel.get(group.key) ?? []) {
            if (seq <= request.after || seq > request.through) continue;
            request.send(payload);
            sent.set(request, (sent.get(request) ?? 0) + 1);
          }
        }
      }
    }
    next = page.through + 1;
    await Promise.all(requests.map((request) => request.drained()));
  }
  return requests.map((request) => sent.get(request) ?? 0);
}
