import { expect } from "vitest";
import type { LoadBenchOptions } from "./load-bench.ts";
import { faulty, type StepResult } from "./report.ts";

// The short variant of `npm run bench` (which measures W1 with 3,000 clients, storms and kills
// 10,000, and fills a single node's history to 1,000,000 events): every step's code path end to
// end, small enough for `npm test`; load.test.ts runs the cluster's steps, single-node.test.ts
// the single node's, side by side.
export const base: Omit<LoadBenchOptions, "steps"> = {
  clients: [100],
  rates: [60],
  mix: { create: 0.6, update: 0.3, delete: 0.1 },
  activeShare: 0.5,
  broadcastDeliveries: [2_000],
  seconds: 2,
  workers: 2,
  concurrency: 100,
  records: 1,
  evaluators: 1,
  gateways: 2,
  storm: { clients: 120, concurrency: 60, settleMs: 500 },
  kill: { clients: 120, onKilled: 80, rate: 30, seconds: 4, after: 1 },
  standalone: { dbs: ["pglite"], clients: 60, rates: [40] },
  history: { events: 2_500, short: 500, rate: 40, dbs: ["pglite"] },
  tracing: { modes: ["off", 1], clients: 60, rate: 30, broadcast: 1_200 },
  ownServers: true,
  env: {},
  command: "vitest test/load",
  log: () => {},
};

/** Nothing missing, doubled, leaked or reordered, every write acknowledged, every client there. */
export function expectClean(step: StepResult): void {
  // Which step of which deployment, should one fail.
  const which = `step ${step.step}: ${step.kind} on ${step.deployment}`;
  expect(step.writes.acknowledged, which).toBe(step.writes.attempted);
  expect(step.deliveries.expected, which).toBeGreaterThan(0);
  expect(step.deliveries.received, which).toBe(step.deliveries.expected);
  expect({
    step: step.step,
    missing: step.missing,
    duplicate: step.duplicate,
    leaked: step.leaked,
    outOfOrder: step.outOfOrder,
    unexpected: step.unexpected,
    stray: step.stray,
    disconnected: step.disconnected,
  }).toEqual({
    step: step.step,
    missing: 0,
    duplicate: 0,
    leaked: 0,
    outOfOrder: 0,
    unexpected: 0,
    stray: 0,
    disconnected: 0,
  });
  expect(faulty(step)).toBe(false);
  expect(step.latencyMs.p50).toBeGreaterThan(0);
  expect(step.latencyMs.max).toBeGreaterThanOrEqual(step.latencyMs.p99);
  expect(step.cpu.msPerWrite).toBeGreaterThan(0);
}
