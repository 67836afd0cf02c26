import { expect } from "vitest";
import type { TestClient } from "./test-gateway.ts";

/** Retries `check` until it passes or the time is up (then its last error is thrown). */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Waits until the client has at least `count` changes, then a little longer to catch extras. */
export async function settle(client: TestClient, count: number, timeoutMs = 10_000) {
  await eventually(() => expect(client.changes.length).toBeGreaterThanOrEqual(count), timeoutMs);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return client.changes;
}
