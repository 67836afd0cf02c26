import { now } from "./clock.ts";
import { send } from "./http-client.ts";
import { HISTORY_COLLECTION } from "./workload.ts";

/** What to publish into a node's history. */
export interface HistoryFill {
  /** Base URL of a records process (a single node). */
  url: string;
  /** One of its TIDINGS_SERVICE_TOKENS. */
  serviceToken: string;
  /** Number of the first event (ids `h<n>`), so fills can follow one another. */
  from: number;
  count: number;
  /** Events per request (the API takes 1–1,000). */
  batch: number;
  /** Requests in flight. */
  concurrency: number;
}

/** The id of filler event `n`. */
export const historyId = (n: number) => `h${n}`;

/**
 * Publishes `count` small `created` events of the external `history` collection through the
 * internal publish API, `batch` per request. The last event goes alone, after every other batch
 * was accepted, so once it reaches a subscriber the whole fill has been relayed and evaluated.
 */
export async function fillHistory(plan: HistoryFill) {
  const started = now();
  const failures: Record<string, number> = {};
  const last = plan.from + plan.count - 1;
  const post = async (first: number, end: number) => {
    const events = [];
    for (let n = first; n < end; n += 1)
      events.push({
        collection: HISTORY_COLLECTION.name,
        action: "created",
        record: { id: historyId(n), title: "history filler", n },
      });
    for (let attempt = 0; ; attempt += 1) {
      const { status, body } = await send(
        "POST",
        `${plan.url}/internal/v1/publish`,
        plan.serviceToken,
        JSON.stringify({ events }),
        true,
      );
      if (status === 202) return;
      failures[status || "error"] = (failures[status || "error"] ?? 0) + 1;
      if (attempt >= 5) throw new Error(`internal publish: ${status} ${body.slice(0, 300)}`);
      await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
    }
  };
  let next = plan.from;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < last) {
        const first = next;
        next = Math.min(last, next + plan.batch);
        await post(first, next);
      }
    }),
  );
  await post(last, last + 1);
  return {
    published: plan.count,
    seconds: (now() - started) / 1000,
    failures,
    lastId: historyId(last),
  };
}
