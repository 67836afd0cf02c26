import { describe, expect, it } from "vitest";
import { FAULTS, runFaultScenario } from "./fault-scenario.ts";

// The short variant; `npm run faults` runs the long one (more writes, several cycles).
describe("faults while writes and deliveries go on", () => {
  it("kill -9 a gateway, an evaluator and a records replica; restart NATS and Redis; stop PostgreSQL briefly: no leak, no loss, no duplicate, in order", {
    timeout: 240_000,
  }, async () => {
    const result = await runFaultScenario({
      faults: FAULTS,
      cycles: 1,
      records: 16,
      rounds: 8,
      users: 3,
      seed: 7,
      log: () => {},
    });
    expect(result.problems).toEqual([]);
    expect(result.writes).toBeGreaterThan(50);
  });
});
