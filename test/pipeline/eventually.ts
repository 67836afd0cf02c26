import { eventually } from "@tidings/testing";
import { expect } from "vitest";
import type { TestClient } from "./test-gateway.ts";

export { eventually };

/** Waits until the client has at least `count` changes, then a little longer to catch extras. */
export async function settle(client: TestClient, count: number, timeoutMs = 10_000) {
  await eventually(() => expect(client.changes.length).toBeGreaterThanOrEqual(count), timeoutMs);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return client.changes;
}
