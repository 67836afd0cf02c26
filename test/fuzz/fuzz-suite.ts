import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FuzzEnvironment, fuzzTargets } from "./fuzz-run.ts";

// Few enough inputs per target for `npm test` (a few seconds per server); `npm run fuzz -- --runs N`
// sends more.
const BOUNDED = { runs: 10 };

/** A suite that sends a bounded number of hostile inputs into every target of an environment. */
export function describeFuzz(title: string, open: () => Promise<FuzzEnvironment>): void {
  describe(title, () => {
    let environment: FuzzEnvironment | undefined;
    beforeAll(async () => {
      environment = await open();
    });
    afterAll(() => environment?.close());

    it("every target refuses NUL, lone surrogates and deep JSON in its protocol's form, writing nothing", async () => {
      const counts = await fuzzTargets(environment as FuzzEnvironment, BOUNDED);
      for (const [target, inputs] of counts) expect(inputs, target).toBe(BOUNDED.runs);
    });
  });
}
