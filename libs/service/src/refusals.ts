import type { Counter } from "@opentelemetry/api";
import { counterOf, METRICS } from "@tidings/telemetry";

/** The limits whose refusals are counted (`tidings.limit` of `tidings.limit.refusals`). */
export type LimitName =
  | "http_requests"
  | "login_attempts"
  | "socket_messages"
  | "subscriptions_per_connection"
  | "connections_per_user"
  | "presence_rooms";

// Made at the first refusal, long after the process registered its meter provider.
let refusals: Counter | undefined;

/** Counts one request or message refused by `limit` (a rate limit or a count limit). */
export function countRefusal(limit: LimitName): void {
  refusals ??= counterOf(METRICS.refusals);
  refusals.add(1, { "tidings.limit": limit });
}
